/**
 * The interface's words in one place (English), so a translation is one more table of the same
 * keys; and numbers and dates in the person's own locale.
 */
const en = {
  'app.title': 'Offline Music Recommender',
  'app.profile': 'Profile',
  'app.pages': 'Pages',
  'app.library': 'Library',
  'app.tracks': 'tracks',
  'app.listens': 'listens',
  'app.matched': '{share} matched to tracks',
  'app.opening': 'Opening your library…',
  'app.private': 'Everything stays on this computer.',
  'app.backend': 'Backend: {name}',
  'page.recommendations': 'Recommendations',
  'page.profile': 'Profile',
  'page.import': 'Import',
  'page.training': 'Training',
  'page.evaluation': 'Evaluation',
  'page.settings': 'Settings',
  'ui.error': 'Something went wrong.',
  'ui.retry': 'Try again',
  'ui.loading': 'Loading…',
  'recs.title': 'Recommended for you',
  'recs.filters': 'Filters',
  'recs.genre': 'Genre',
  'recs.allGenres': 'All genres',
  'recs.era': 'Era',
  'recs.anyEra': 'Any era',
  'recs.before1980': 'Before 1980',
  'recs.discovery': 'Familiar ↔ new',
  'recs.discoveryLabel': 'Discovery: familiar artists or new artists',
  'recs.variety': 'Variety',
  'recs.varietyLabel': 'Variety of the list',
  'recs.howMany': 'How many',
  'recs.export': 'Export:',
  'recs.noProfile': 'No profile yet',
  'recs.noProfileHint': 'Import a listening export first.',
  'recs.noModel': 'No model yet',
  'recs.noModelHint': 'Train the recommender on your listening first.',
  'recs.goTraining': 'Go to Training',
  'recs.finding': 'Finding music for you…',
  'recs.nothing': 'Nothing matches these filters',
  'recs.nothingHint': 'Try another genre or era.',
  'recs.list': 'Recommendations',
  'recs.keys': 'Keys: ↑ ↓ move, Enter shows why, L like, D not for me, N never this artist, S more like this',
  'recs.newArtist': ' · new artist',
  'recs.scoreTitle': "How likely the model thinks you'll like it",
  'recs.showWhy': '{title} by {artist}: show why',
  'recs.row': '{rank}. {title} by {artist}, {genre}{year}, {score}',
  'recs.like': 'Like {title}',
  'recs.likeTitle': 'Like',
  'recs.dislike': 'Dislike {title}',
  'recs.dislikeTitle': 'Not for me',
  'recs.never': 'Never recommend {artist}',
  'recs.neverTitle': 'Never this artist',
  'recs.similar': 'More like {title}',
  'recs.similarTitle': 'More like this',
  'recs.selectHint': 'Select a track to see why.',
  'recs.moreLike': 'More like “{title}”',
  'recs.liked': 'Liked {title}; the list was updated.',
  'recs.disliked': '{title} will not be suggested again.',
  'recs.nevered': 'No more {artist}.',
  'explain.unknownGenre': 'unknown genre',
  'explain.because': 'Because you listen to {artists}.',
  'explain.plays': '{artist} ({plays} plays)',
  'explain.measured': "Each factor's share is measured on the model: how much the score drops when that factor is neutralised.",
  'explain.compare': 'track {track}, you {you}',
  'explain.yourAverage': 'your average',
  'explain.thisTrack': 'this track',
  'settings.theme': 'Appearance',
  'settings.theme.system': 'Follow the system',
  'settings.theme.light': 'Light',
  'settings.theme.dark': 'Dark',
  'profile.noProfileHint': "Import a listening export to create one.",
  'profile.hours': "hours",
  'profile.first': "first listen",
  'profile.last': "last listen",
  'profile.perMonth': "Hours per month",
  'profile.perMonthLabel': "Listening hours per month",
  'profile.genres': "Top genres",
  'profile.genresLabel': "Top genres by listening time",
  'profile.noMatches': "No listens matched to catalogue tracks yet.",
  'profile.sound': "Your sound",
  'profile.soundHint': "Your average audio features; the tick is the catalogue's average.",
  'profile.soundLabel': "Audio-feature profile",
  'profile.soundEmpty': "Add a catalogue to see it.",
  'profile.artists': "Most played artists",
  'profile.about': "About you",
  'profile.optional': "(optional)",
  'profile.aboutHint': "Used only by the model on this computer; leave blank if you prefer.",
  'profile.age': "Age",
  'profile.gender': "Gender",
  'profile.gender.none': "Prefer not to say",
  'profile.gender.female': "Female",
  'profile.gender.male': "Male",
  'profile.gender.nonBinary': "Non-binary",
  'profile.country': "Country (2-letter code)",
  'profile.save': "Save",
  'profile.saved': "Saved.",
  'eval.nothing': "{title}: nothing to rank — no held-out listening of this kind.",
  'eval.metric': "metric",
  'eval.lead': "How well does the serving model predict what {who} listened to in the last part of the history, which it never saw? Compared with every baseline — your own most played, your artists’ other tracks, popularity, content and co-listening — on the same split.",
  'eval.you': "you",
  'eval.run': "Evaluate the serving model",
  'eval.ranking': "Ranking the whole catalogue…",
  'eval.ownTitle': "{who}’s own held-out listening — run #{run}",
  'eval.allTitle': "Test period, {users} profile(s) — run #{run}",
  'eval.verdictNew': "New to you (discovery), NDCG@10: model {model} against {best} {value}.",
  'eval.verdictAll': "Everything you played, NDCG@10: model {model} against {best} {value}.",
  'eval.small': "One person’s held-out period is a small sample: these figures move from one retraining to the next.",
  'eval.discovery': "Discovery — tracks first played in the held-out period",
  'eval.allPlays': "All plays — everything played in the held-out period",
  'eval.barsTitle': "NDCG@10, discovery",
  'eval.barsLabel': "Discovery NDCG@10 by ranker",
} as const;

export type StringKey = keyof typeof en;
const tables: Record<string, Partial<Record<StringKey, string>>> = { en };

/** The person's language as the system reports it (`navigator.language`), English where there is no table. */
const lang = typeof navigator !== 'undefined' ? navigator.language.split('-')[0] : 'en';

/** The string for `key` with `{name}` placeholders filled in. */
export function t(key: StringKey, params: Record<string, string | number> = {}): string {
  const s = tables[lang]?.[key] ?? en[key];
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

/** Formatters in the person's locale (undefined: the system's). */
const numberFormat = new Intl.NumberFormat(undefined);
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatNumber = (x: number) => numberFormat.format(x);
export const formatPercent = (x: number, digits = 0) =>
  new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
export const formatDate = (ms: number) => dateFormat.format(new Date(ms));
export const formatDateTime = (ms: number) => dateTimeFormat.format(new Date(ms));
