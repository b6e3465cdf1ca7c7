/**
 * Feature matrices live on the device once; each batch only uploads user and item indexes and
 * gathers its rows there (no per-step re-upload of features).
 */
import { tf } from '../backend';
import type { ItemInputs, PairInputs, UserInputs } from '../models/two-tower';
import { AFFINITY_COLUMNS, AUDIO_FIT_COLUMNS, pairAffinity, type ItemFeatures, type UserFeatures } from './features';

/** The user and item tensors the towers read (the audio-fit ones only enter the pair inputs). */
const USER_INPUTS = ['numeric', 'country', 'gender', 'topGenre', 'ageBucket', 'historyArtist', 'historyWeight', 'historyTrack', 'historyTrackWeight'] as const satisfies readonly (keyof UserInputs)[];
const ITEM_INPUTS = ['numeric', 'artist', 'track', 'genre', 'yearBucket'] as const satisfies readonly (keyof ItemInputs)[];

/** Rows `idx` of each of the named tensors. */
function gatherRows<T extends Record<string, tf.Tensor>, K extends keyof T & string>(src: T, keys: readonly K[], idx: tf.Tensor1D): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, tf.gather(src[k], idx)])) as Pick<T, K>;
}

export class FeatureTensors {
  user: {
    numeric: tf.Tensor2D; country: tf.Tensor1D; gender: tf.Tensor1D; topGenre: tf.Tensor1D; ageBucket: tf.Tensor1D;
    historyArtist: tf.Tensor2D; historyWeight: tf.Tensor2D; historyTrack: tf.Tensor2D; historyTrackWeight: tf.Tensor2D; audioFitAvg: tf.Tensor2D;
  };
  readonly item: { numeric: tf.Tensor2D; artist: tf.Tensor1D; track: tf.Tensor1D; genre: tf.Tensor1D; yearBucket: tf.Tensor1D; audioFitRaw: tf.Tensor2D };

  users: UserFeatures;

  constructor(users: UserFeatures, readonly items: ItemFeatures) {
    const C = AUDIO_FIT_COLUMNS.length;
    this.users = users;
    this.user = FeatureTensors.userTensors(users);
    this.item = {
      numeric: tf.tensor2d(items.numeric, [items.n, items.numeric.length / Math.max(1, items.n)]),
      artist: tf.tensor1d(items.artist, 'int32'),
      track: tf.tensor1d(items.track, 'int32'),
      genre: tf.tensor1d(items.genre, 'int32'),
      yearBucket: tf.tensor1d(items.yearBucket, 'int32'),
      audioFitRaw: tf.tensor2d(items.audioFitRaw, [items.n, C]),
    };
  }

  /** Replaces the people (serving one profile at a time) while keeping the catalogue on the device. */
  setUsers(users: UserFeatures): void {
    for (const t of Object.values(this.user)) t.dispose();
    this.users = users;
    this.user = FeatureTensors.userTensors(users);
  }

  private static userTensors(users: UserFeatures): FeatureTensors['user'] {
    const C = AUDIO_FIT_COLUMNS.length;
    const H = users.historyArtist.length / Math.max(1, users.n);
    return {
      numeric: tf.tensor2d(users.numeric, [users.n, users.numeric.length / Math.max(1, users.n)]),
      country: tf.tensor1d(users.country, 'int32'),
      gender: tf.tensor1d(users.gender, 'int32'),
      topGenre: tf.tensor1d(users.topGenre, 'int32'),
      ageBucket: tf.tensor1d(users.ageBucket, 'int32'),
      historyArtist: tf.tensor2d(users.historyArtist, [users.n, H], 'int32'),
      historyWeight: tf.tensor2d(users.historyWeight, [users.n, H]),
      historyTrack: tf.tensor2d(users.historyTrack, [users.n, H], 'int32'),
      historyTrackWeight: tf.tensor2d(users.historyTrackWeight, [users.n, H]),
      audioFitAvg: tf.tensor2d(users.audioFitAvg, [users.n, C]),
    };
  }

  userBatch(idx: tf.Tensor1D): UserInputs {
    return gatherRows(this.user, USER_INPUTS, idx);
  }

  itemBatch(idx: tf.Tensor1D): ItemInputs {
    return gatherRows(this.item, ITEM_INPUTS, idx);
  }

  /** Pair inputs; `users` / `items` are the same indexes as the tensors, for the affinity lookups. */
  pairBatch(userIdx: tf.Tensor1D, itemIdx: tf.Tensor1D, users: ArrayLike<number>, items: ArrayLike<number>): PairInputs {
    return {
      affinity: tf.tensor2d(pairAffinity(this.users, this.items, users, items), [users.length, AFFINITY_COLUMNS.length]),
      audioFit: tf.abs(tf.sub(tf.gather(this.user.audioFitAvg, userIdx), tf.gather(this.item.audioFitRaw, itemIdx))) as tf.Tensor2D,
      ageBucket: tf.gather(this.user.ageBucket, userIdx) as tf.Tensor1D,
      country: tf.gather(this.user.country, userIdx) as tf.Tensor1D,
      genre: tf.gather(this.item.genre, itemIdx) as tf.Tensor1D,
    };
  }

  dispose(): void {
    for (const t of [...Object.values(this.user), ...Object.values(this.item)]) t.dispose();
  }
}
