import { describe, expect, it } from 'vitest';
import { creditedArtists, normArtist, normTitle } from '../../src/main/importers/normalize';
import { parseTimestamp, parseYear } from '../../src/main/importers/time';
import { spotifyIdOf } from '../../src/main/importers/types';

describe('normalisation for matching', () => {
  it('folds case, accents, "the" and punctuation in artist names', () => {
    expect(normArtist('The Beatles')).toBe('beatles');
    expect(normArtist('Beyoncé')).toBe('beyonce');
    expect(normArtist('Go‐Go’s')).toBe(normArtist("Go-Go's"));
    expect(normArtist('Simon & Garfunkel')).toBe('simon and garfunkel');
    expect(normArtist('¥$')).not.toBe('s');
  });

  it('drops version suffixes, brackets and featured artists from titles', () => {
    expect(normTitle('Ghost - Acoustic')).toBe('ghost');
    expect(normTitle('Black Dog - Remaster')).toBe('black dog');
    expect(normTitle('You Gon’ Learn (feat. Royce Da 5\'9" & White Gold)')).toBe('you gon learn');
    expect(normTitle('Song [Remastered 2011]')).toBe('song');
    expect(normTitle('Mamichula feat. Nicki Nicole')).toBe('mamichula');
    expect(normTitle('(Untitled)')).toBe('untitled');
    expect(normTitle('Stay With Me')).toBe('stay with me');
  });

  it('splits credits but tries the whole name first', () => {
    expect(creditedArtists('A feat. B')).toEqual(['A feat. B', 'A', 'B']);
    expect(creditedArtists('Earth, Wind & Fire')[0]).toBe('Earth, Wind & Fire');
    expect(creditedArtists('Adele')).toEqual(['Adele']);
  });

  it('parses the timestamp styles of every export', () => {
    const t = Date.UTC(2024, 3, 16, 18, 57);
    expect(parseTimestamp('2024-04-16 18:57')).toBe(t);
    expect(parseTimestamp('2024-04-16T18:57:00Z')).toBe(t);
    expect(parseTimestamp('2024-04-16T20:57:00+02:00')).toBe(t);
    expect(parseTimestamp('16 Apr 2024, 18:57')).toBe(t);
    expect(parseTimestamp('16 Apr 2024 18:57')).toBe(t);
    expect(parseTimestamp(t / 1000)).toBe(t);
    expect(parseTimestamp(String(t / 1000))).toBe(t);
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(parseYear('2019-06')).toBe(2019);
    expect(parseYear('n/a')).toBeNull();
  });

  it('extracts Spotify ids from URIs and links', () => {
    expect(spotifyIdOf('spotify:track:37f4ITSlgPX81ad2EvmVQr')).toBe('37f4ITSlgPX81ad2EvmVQr');
    expect(spotifyIdOf('https://open.spotify.com/track/37f4ITSlgPX81ad2EvmVQr?si=abc')).toBe('37f4ITSlgPX81ad2EvmVQr');
    expect(spotifyIdOf('spotify:episode:xyz')).toBeNull();
  });
});
