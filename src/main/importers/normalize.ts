/**
 * Normalisation of artist names and track titles for matching listens to the catalogue.
 * Both sides go through the same functions, so the rules only need to be consistent:
 * case and accents folded, "&" read as "and", featured artists, bracketed and " - …" version
 * suffixes (Remastered, Live, Radio Edit…) dropped, punctuation removed.
 */

const COMBINING = /[\u0300-\u036f]/g;
const NON_WORD = /[^\p{L}\p{N} ]+/gu;
const SPACES = /\s+/g;
const FOLD_MAP: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i', $: 's',
};
const FOLD_RE = /[ßæœøđðþłı$]/g;

function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(COMBINING, '')
    .toLowerCase()
    .replace(FOLD_RE, (c) => FOLD_MAP[c] ?? c);
}

function clean(s: string): string {
  return s
    .replace(/&|\+/g, ' and ')
    .replace(/['’‘`´]/g, '')
    .replace(NON_WORD, ' ')
    .replace(SPACES, ' ')
    .trim();
}

/** Normalised artist name: "The Beatles" → "beatles", "Beyoncé" → "beyonce", "JAY-Z" → "jay z". */
export function normArtist(name: string): string {
  const folded = fold(name);
  let s = clean(folded);
  if (s.startsWith('the ') && s.length > 4) s = s.slice(4);
  // A name made mostly of symbols ("¥$", "!!!") keeps them rather than collapsing to one letter.
  const visible = folded.replace(/\s+/g, '');
  if (s.replace(/ /g, '').length < 2 && visible.length > s.length) s = visible;
  return s;
}

/** Placeholders that exports write for missing metadata; they match nothing. */
const PLACEHOLDER_ARTISTS = new Set(['unknown artist', 'unknown', 'various artists', 'various', 'n a', 'artist', '']);
export function isPlaceholderArtist(norm: string): boolean {
  return PLACEHOLDER_ARTISTS.has(norm);
}

const FEAT = /\s[([]?\s*(?:feat\.?|ft\.?|featuring)\s.*$/;
const BRACKETS = /\([^)]*\)|\[[^\]]*\]|\{[^}]*\}/g;
const DASH_SUFFIX = /\s[-–—]\s.*$/;

/** Normalised title: "Ghost - Acoustic" → "ghost", "Song (feat. X) [Remastered 2011]" → "song". */
export function normTitle(title: string): string {
  let s = fold(title);
  s = s.replace(BRACKETS, ' ');
  s = s.replace(DASH_SUFFIX, '');
  s = s.replace(FEAT, '');
  const out = clean(s);
  // A title that is only brackets ("(Untitled)") keeps its words.
  return out || clean(fold(title));
}

/**
 * Splits a credit such as "A feat. B", "A & B", "A, B", "A x B" into its artists, first first.
 * The whole string comes first so a band called "Simon & Garfunkel" still matches as itself.
 */
export function creditedArtists(credit: string): string[] {
  const parts = credit
    .split(/\s+(?:feat\.?|ft\.?|featuring|x|vs\.?)\s+|\s*[,;/&]\s*/i)
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.length > 1 ? [credit, ...parts] : [credit];
}
