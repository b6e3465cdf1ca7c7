/** Timestamps as exported by Spotify, Last.fm and ListenBrainz → milliseconds since the epoch (UTC). */

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

const YMD = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/i;
const DMY_TEXT = /^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const NUMERIC = /^\d{9,13}(?:\.\d+)?$/;

/** Seconds (≤ 11 digits) or milliseconds since the epoch. */
export function fromEpoch(v: number): number {
  return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
}

/**
 * Parses "2024-04-16 18:57", ISO 8601 ("2022-11-12T13:59:51Z"), "11 Jul 2024, 09:07",
 * "31 Jan 2021 12:34" and epoch seconds / milliseconds. Returns NaN when it cannot.
 */
export function parseTimestamp(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? fromEpoch(value) : NaN;
  if (typeof value !== 'string') return NaN;
  const s = value.trim();
  if (!s) return NaN;
  // Fast path: "YYYY-MM-DD HH:MM" (Spotify account data).
  if (s.length === 16 && s.charCodeAt(4) === 45 && s.charCodeAt(10) === 32 && s.charCodeAt(13) === 58) {
    const t = Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10), +s.slice(11, 13), +s.slice(14, 16));
    return t;
  }
  let m = YMD.exec(s);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', tz] = m;
    let t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, Math.round(+`0.${frac}` * 1000));
    if (tz && tz.toUpperCase() !== 'Z' && tz.toUpperCase() !== 'UTC') {
      const sign = tz[0] === '-' ? -1 : 1;
      const digits = tz.slice(1).replace(':', '');
      t -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4)) * 60000;
    }
    return +mo >= 1 && +mo <= 12 && +d >= 1 && +d <= 31 ? t : NaN;
  }
  m = DMY_TEXT.exec(s);
  if (m) {
    const mon = MONTHS[m[2].toLowerCase()];
    if (mon === undefined) return NaN;
    return Date.UTC(+m[3], mon, +m[1], +m[4], +m[5], +(m[6] ?? 0));
  }
  if (NUMERIC.test(s)) return fromEpoch(+s);
  return NaN;
}

/** Year from "2019-06-14", "2019-06", "2019" or a number. */
export function parseYear(value: unknown): number | null {
  if (typeof value === 'number') return value >= 1000 && value <= 2100 ? Math.trunc(value) : null;
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})/.exec(value.trim());
  if (!m) return null;
  const y = +m[1];
  return y >= 1000 && y <= 2100 ? y : null;
}
