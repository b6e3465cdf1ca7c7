/**
 * The schema of every request the renderer may send, as plain JSON Schema data (TypeBox): the
 * main process checks each request against it before any service sees it, and the request types
 * of the IPC contract (src/shared/ipc.ts) are derived from it — one declaration each.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { arr, bool, int, num, obj, oneOf, str, LOG_LEVEL_NAMES } from './config-schema';

const opt = <T extends TSchema>(s: T) => Type.Optional(s);
const nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const text = (max: number) => str(undefined, `^.{1,${max}}$`);
const none = obj({});
const id = int(1, 2 ** 31);
const filePath = text(4096);
const profileName = text(200);

export const RECOMMEND_OPTIONS_SCHEMA = obj({
  k: opt(int(1, 5000)),
  excludePlayed: opt(bool()),
  genres: opt(arr(text(200), 0, undefined, 200)),
  yearFrom: opt(int(1000, 2100)),
  yearTo: opt(int(1000, 2100)),
  maxPerArtist: opt(int(0, 1000)),
  /** MMR weight: 0 = pure relevance, 1 = pure diversity. */
  diversity: opt(num(0, 1)),
  /** −1 = familiar artists first, 0 = neutral, 1 = new artists first. */
  discovery: opt(num(-1, 1)),
  explain: opt(bool()),
});
export type RecommendOptions = Static<typeof RECOMMEND_OPTIONS_SCHEMA>;

export const FEEDBACK_KINDS = ['like', 'dislike', 'never_artist'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

const IMPORT_REQUEST = obj({ catalogs: arr(filePath, 0, undefined, 1000), histories: arr(filePath, 0, undefined, 1000), profile: opt(profileName) });
export type ImportRequestDto = Static<typeof IMPORT_REQUEST>;
/** Files picked in the window, sent as bytes (works the same in Electron and the browser harness). */
const IMPORT_FILES = obj({
  // A file's own name: no folders, and not "." or ".." (which name folders, not files).
  files: arr(obj({ name: str(undefined, '^(?!\\.{1,2}$)[^/\\\\]{1,255}$'), base64: str() }), 1, undefined, 500),
  kind: oneOf(['history', 'catalog']),
  profile: opt(profileName),
});
export type ImportFilesDto = Static<typeof IMPORT_FILES>;

/** Every channel's request schema; the main process checks each request against it before any service sees it. */
export const REQUEST_SCHEMAS = {
  'app:info': none,
  'library:stats': none,
  /** Imports files or folders the person picked with import:pick (nothing else is read). */
  'import:run': IMPORT_REQUEST,
  /** Opens the system's file chooser in the main process; what is picked may then be imported. */
  'import:pick': obj({ kind: oneOf(['history', 'catalog', 'community']) }),
  /** Imports public listening data (MPD slices, HetRec) the person picked with import:pick; kept as which artists go together, never as people. */
  'import:community': obj({ path: filePath }),
  /** Deletes every community dataset and all it added. */
  'import:community-delete': none,
  'import:files': IMPORT_FILES,
  'profile:get': obj({ profileId: id }),
  'profile:update': obj({ profileId: id, age: nullable(int(5, 120)), gender: nullable(text(40)), country: nullable(str(undefined, '^[A-Za-z]{2}$')) }),
  'recommend:list': obj({ profileId: id, options: RECOMMEND_OPTIONS_SCHEMA }),
  /** Cold start: the artists a person likes (a new profile when named); they count as listening at once. */
  'profile:favourites': obj({
    profileId: opt(id), name: opt(profileName), artists: arr(text(200), 1, undefined, 50),
    age: opt(nullable(int(5, 120))), country: opt(nullable(str(undefined, '^[A-Za-z]{2}$'))),
  }),
  'recommend:feedback': obj({ profileId: id, kind: oneOf(FEEDBACK_KINDS), trackId: opt(id), artistId: opt(id) }),
  'recommend:similar': obj({ trackId: id, k: int(1, 500) }),
  'recommend:export': obj({ profileId: id, format: oneOf(['m3u8', 'xspf', 'csv']), options: RECOMMEND_OPTIONS_SCHEMA }),
  'training:config': none,
  /** `warm`: a quick retraining from the serving model (seconds), after new listening or feedback. */
  'training:start': obj({ overrides: arr(str(undefined, '^[a-z_.]+=.{0,200}$'), 0, undefined, 100), warm: opt(bool()) }),
  'training:cancel': none,
  'training:runs': none,
  'training:serve': obj({ runId: id }),
  'evaluation:run': obj({ runId: opt(id), profileId: opt(id) }),
  'settings:set': obj({ logLevel: oneOf(LOG_LEVEL_NAMES) }),
  /** Opens the log file in the system's viewer (Electron); says where it is otherwise. */
  'settings:open-log': none,
  /** Deletes the library, the models and the logs' contents: a fresh start. */
  'settings:reset': obj({ confirm: oneOf(['RESET']) }),
  /** Stops a running import; the library stays exactly as it was before it. */
  'import:cancel': none,
  /** The renderer's log lines, written to the same log file through electron-log. */
  'log:write': obj({ level: oneOf(LOG_LEVEL_NAMES), message: str(undefined, '^[\\s\\S]{1,8000}$') }),
} as const;

