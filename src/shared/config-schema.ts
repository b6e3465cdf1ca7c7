/**
 * The schema of the four YAML configuration files. Plain data (no Node or DOM imports) so the
 * main process validates against it and the renderer builds its settings form from it.
 */
import { Type, type Static, type TLiteral, type TObject, type TProperties, type TSchema, type TUnion } from '@sinclair/typebox';

/**
 * A schema is plain JSON Schema data built with TypeBox: the main process validates with it, the
 * renderer builds its settings form from it, and the TypeScript types are derived from it
 * (`Static`), so a type cannot drift from what is checked.
 */
export type Schema = TSchema;

export const num = (min?: number, max?: number, description?: string) => Type.Number({ minimum: min, maximum: max, description });
export const int = (min?: number, max?: number, description?: string) => Type.Integer({ minimum: min, maximum: max, description });
export const bool = (description?: string) => Type.Boolean({ description });
export const str = (description?: string, pattern?: string) => Type.String({ description, pattern });
/** One of a fixed list of strings (JSON Schema `anyOf` of `const`s; the type is their union). */
export const oneOf = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { description }) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
export const arr = <T extends TSchema>(of: T, minItems?: number, description?: string, maxItems?: number) => Type.Array(of, { minItems, maxItems, description });
/** A mapping with exactly these keys (unknown keys are errors). */
export const obj = <T extends TProperties>(fields: T, description?: string): TObject<T> => Type.Object(fields, { additionalProperties: false, description });

/**
 * Caps on lists a configuration (or a --set from the window) may hold. Training tries every
 * combination of the blend's weight grids on validation each epoch, and builds every dense layer
 * listed: a few hundred grid values or layers would make one training run for days or exhaust
 * memory. The shipped configuration uses at most 5 weights and 2 layers.
 */
export const MAX_GRID = 21;
export const MAX_LAYERS = 8;

/** Keys that can reach an object's prototype; refused wherever input becomes an object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first key of FORBIDDEN_KEYS anywhere inside `value` (own keys only), or null. */
export function forbiddenKeyPath(value: unknown, at = '', depth = 0): string | null {
  if (depth > 64) return `${at || '(value)'} (nested too deeply)`;
  if (value === null || typeof value !== 'object') return null;
  for (const k of Object.keys(value)) {
    const here = at ? `${at}.${k}` : k;
    if (FORBIDDEN_KEYS.has(k)) return here;
    const found = forbiddenKeyPath((value as Record<string, unknown>)[k], here, depth + 1);
    if (found) return found;
  }
  return null;
}

export const LOG_LEVEL_NAMES = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const METRIC_NAMES = [
  'ndcg', 'map', 'mrr', 'hit_rate', 'precision', 'recall', 'f1', 'auc', 'accuracy',
  'diversity', 'coverage', 'serendipity',
] as const;
export const BASELINE_NAMES = ['random', 'popularity', 'catalog_popularity', 'replay', 'recent_replay', 'artist_affinity', 'recent_artists', 'colisten', 'content_knn', 'item_cf', 'ease'] as const;

const tower = <T extends TProperties>(extra: T) =>
  obj({
    hidden_units: arr(int(1, 4096), 1, 'Dense layer sizes before the output layer', MAX_LAYERS),
    batch_norm: bool('Batch normalisation after each hidden layer'),
    dropout: num(0, 0.9, 'Dropout after each hidden layer'),
    ...extra,
  });

/** One entry per file: the file name and the schema of its whole document. */
export const CONFIG_FILES = {
  model: {
    file: 'model_config.yaml',
    spec: obj({
      model: obj({
        prediction: oneOf(['dot', 'concat'], 'dot: cosine/dot product → sigmoid; concat: towers + compatibility features → dense head'),
        similarity: oneOf(['cosine', 'dot'], 'How the towers’ vectors are compared for retrieval'),
        embedding_dim: int(4, 512, 'Size of each tower’s output vector'),
        temperature: num(0.001, 10, 'Softmax temperature for cosine scores'),
        ensemble: int(1, 8, 'Networks trained side by side from different initialisations, their scores averaged (1 = one network; each more costs as much training and scoring time again)'),
        inputs: obj({
          audio: bool('Use audio features (track features, the person’s audio profile, compatibility)'),
          demographics: bool('Use age, gender and country'),
        }),
        user_tower: tower({
          country_embedding_dim: int(1, 64),
          gender_embedding_dim: int(1, 16),
          genre_embedding_dim: int(1, 64),
          age_bucket_embedding_dim: int(1, 32),
          history_input: bool('Feed a play-time-weighted mean of the artists in the history (shares the item tower’s artist embedding)'),
        }),
        item_tower: tower({
          artist_embedding_dim: int(1, 256),
          track_embedding_dim: int(0, 256, 'Track identity embedding (0 = none); shared with the user tower’s track history'),
          genre_embedding_dim: int(1, 64),
          year_bucket_embedding_dim: int(1, 32),
        }),
        head: obj({
          hidden_units: arr(int(1, 4096), 1, 'Dense layers of the concat head', MAX_LAYERS),
          dropout: num(0, 0.9),
          add_retrieval_score: bool('Add the towers’ similarity score to the head’s logit (off: the head ranks on its own)'),
          fusion_weights: arr(num(0, 1), 0,
            'Weights tried for blending the person’s own listening into the head’s ranking (replays for all plays; their artists and co-listened artists for discovery); the one that ranks the validation period best is kept, ties to the smallest (0 = the network alone; empty = off)', MAX_GRID),
          neighbourhood: bool('With several people in the library, blend a neighbourhood score (EASE over their plays: people who play what you play also play …) into discovery, its weight chosen on validation from fusion_weights'),
          novelty_weights: arr(num(0, 1), 0,
            'With the neighbourhood: weights tried for a novelty term in discovery (the fewer of the library’s people play a track, the higher), chosen on validation after the blend, ties to the smallest (0 = off; empty = off)', MAX_GRID),
          content_weights: arr(num(0, 1), 0,
            'Where there are tags (a HetRec community import keeps its listeners’ tags of your artists): weights tried for a content term in discovery (how well a track’s tags fit those of what the person plays), chosen on validation with the blend, ties to the smallest, and only where it finds more validation discoveries for at least two more people than it loses (0 = off; [0], the default in a library, = off)', MAX_GRID),
          fusion_fallback: obj({
            all: num(0, 1, 'Blend for all plays when validation cannot choose (no validation plays, or every weight ranks them alike)'),
            discover: num(0, 1, 'Blend for discovery when validation cannot choose'),
            neighbours: num(0, 1, 'Weight of the neighbourhood score in discovery when validation cannot judge it (on its own it finds none of the validation period’s discoveries — a handful of people)'),
          }),
        }),
      }),
    }),
  },
  training: {
    file: 'training_config.yaml',
    spec: obj({
      training: obj({
        seed: int(0, 2 ** 31 - 1, 'Seed for every random choice; the same seed gives the same model'),
        epochs: int(1, 10000),
        batch_size: int(1, 1 << 20),
        learning_rate: num(1e-7, 10),
        lr_schedule: obj({
          type: oneOf(['constant', 'exponential', 'cosine']),
          decay_rate: num(0, 1, 'Per-epoch factor for the exponential schedule'),
          warmup_epochs: int(0, 1000),
        }),
        weight_decay: num(0, 1),
        loss: oneOf(['bce', 'sampled_softmax'], 'Binary cross-entropy with sampled negatives, or in-batch sampled softmax'),
        retrieval_loss: oneOf(['bce', 'softmax'], 'What keeps the towers good at retrieval beside the head (bce loss): binary cross-entropy on their similarity, or a softmax over each batch’s items (in-batch and sampled negatives, log-Q corrected)'),
        retrieval_negatives: int(0, 100_000, 'For retrieval_loss softmax: catalogue items drawn uniformly per batch as extra candidates'),
        head_listwise: num(0, 10, 'Weight of a listwise loss for the head beside its binary cross-entropy: each positive against its own sampled negatives (softmax, log-Q corrected); 0 = off'),
        negatives: obj({
          strategy: oneOf(['uniform', 'popularity'], 'How catalogue negatives are drawn'),
          per_positive: int(0, 100),
          popularity_alpha: num(0, 1, 'Negatives drawn ∝ popularity^alpha (log-Q corrected)'),
          history_fraction: num(0, 1, 'Share of negatives drawn from the tracks the person played before but not in the target window'),
          artist_fraction: num(0, 1, 'Share of negatives drawn from unplayed tracks by artists the person plays'),
        }),
        max_positives_per_epoch: int(0, 100_000_000, 'Each epoch trains on at most this many positives, drawn afresh (0 = all)'),
        warm_start: obj({
          epochs: int(1, 1000, 'Epochs of a quick retraining that starts from the serving model (after new listening or feedback)'),
          max_positives_per_epoch: int(0, 100_000_000, 'Positives per epoch of a quick retraining (0 = all)'),
        }, 'A quick retraining starts from the serving model’s weights and its feature space (new artists count as “other” until a full retraining)'),
        new_track_weight: num(0, 100, 'For the head’s “discover” output: weight of a track the person had never played (a discovery) against a replay'),
        skip_threshold_ms: int(0, 600000, 'Plays shorter than this that were skipped count as weak negatives'),
        early_stopping: obj({
          enabled: bool(),
          metric: str('Validation metric, e.g. ndcg@10 or loss'),
          mode: oneOf(['max', 'min']),
          patience: int(0, 1000, 'Epochs without improvement tolerated; one more ends training'),
          min_delta: num(0, 1),
        }),
        checkpoints: obj({ keep_best: bool(), keep_last: bool() }),
        backend: oneOf(BACKEND_NAMES, 'Compute backend; auto picks the fastest that works'),
      }),
      logging: obj({
        level: oneOf(LOG_LEVEL_NAMES),
        per_epoch: bool('Write one log line per epoch'),
        tensorboard: bool('Write TensorBoard event files'),
      }),
    }),
  },
  preprocessing: {
    file: 'preprocessing_config.yaml',
    spec: obj({
      preprocessing: obj({
        imputation: obj({ numeric: oneOf(['median', 'mean']), add_missing_flag: bool() }),
        categorical: obj({
          unknown_token: str(),
          other_token: str(),
          min_artist_count: int(1, 1_000_000, 'Artists with fewer plays in training are grouped into "other"'),
          min_track_count: int(1, 1_000_000, 'Tracks with fewer plays in training share the "other" track embedding'),
          min_genre_count: int(1, 1_000_000),
          min_country_count: int(1, 1_000_000),
        }),
        cap_sigma: num(0.5, 100, 'Numeric features are capped at mean ± this many standard deviations'),
        log_transform: arr(str(), 0, 'Features log1p-transformed before scaling', 64),
        year_buckets: arr(int(1900, 2100), 1, undefined, 64),
        age_buckets: arr(int(0, 130), 1, undefined, 32),
        new_release_years: int(0, 50, 'A track this many years old or newer counts as a new release'),
        split: obj({
          method: oneOf(['time']),
          validation_fraction: num(0, 0.5),
          test_fraction: num(0, 0.5),
          min_events_per_profile: int(1, 1_000_000),
        }),
        min_positive_ms: int(0, 600000, 'A play at least this long is a positive'),
        history_length: int(1, 10000, 'How many recent artists/tracks feed the user tower'),
        recent_half_life_days: num(0.1, 3650, 'Half-life of the decayed play counts (how recently a track or artist was played)'),
        replay_half_life_days: obj({
          tracks: num(1, 36500, 'Half-life of the replay signal blended into the all-plays ranking (the tracks the person keeps coming back to)'),
          artists: num(1, 36500, 'Half-life of the artist signal blended into the discovery ranking (the artists they are playing lately)'),
        }),
        states: obj({
          max_per_profile: int(1, 100000, 'Training snapshots of each person’s listening state along their timeline'),
          min_events_per_state: int(1, 1_000_000, 'Listens between two snapshots at least'),
          horizon_fraction: num(0, 10, 'What follows a snapshot: at least this many listens per listen before it (0: up to the next snapshot)'),
        }),
      }),
    }),
  },
  evaluation: {
    file: 'evaluation_config.yaml',
    spec: obj({
      evaluation: obj({
        k_values: arr(int(1, 10000), 1, undefined, 16),
        metrics: arr(oneOf(METRIC_NAMES), 1),
        threshold: num(0, 1, 'Score above which a prediction counts as positive (precision/recall/F1/accuracy)'),
        exclude_seen: bool('Leave out tracks the person already played'),
        baselines: arr(oneOf(BASELINE_NAMES), 0),
        bootstrap: obj({ samples: int(0, 100000), confidence: num(0.5, 0.999) }),
        hyperparameter_search: obj({
          method: oneOf(['random', 'successive_halving']),
          budget_minutes: num(0, 10000),
          trials: int(1, 10000),
        }),
      }),
      recommend: obj({
        k: int(1, 10000),
        exclude_played: bool(),
        max_per_artist: int(0, 1000, '0 means no limit'),
        diversity: num(0, 1, 'MMR weight: 0 = pure relevance, 1 = pure diversity'),
      }),
    }),
  },
} as const;

export type ConfigSection = keyof typeof CONFIG_FILES;

// ----- Typed view of the effective configuration: derived from the schema, never written twice -----
/** The four files' top-level sections in one schema: what the merged configuration must be. */
export const APP_CONFIG_SCHEMA = Type.Composite([
  CONFIG_FILES.model.spec, CONFIG_FILES.training.spec, CONFIG_FILES.preprocessing.spec, CONFIG_FILES.evaluation.spec,
], { additionalProperties: false });
export type AppConfig = Static<typeof APP_CONFIG_SCHEMA>;
export type TowerConfig = AppConfig['model']['user_tower'];
