/** The reader for a detected listening history: the one switch over history formats (the importer and community data share it). */
import type { Detected } from './detect';
import { ImportError } from './errors';
import { readLastfmCsv } from './formats/lastfm';
import { readListenBrainz } from './formats/listenbrainz';
import { readSpotifyAccount, readSpotifyExtended } from './formats/spotify';
import type { Source } from './source';
import type { HistoryItem } from './types';

export function historyReader(d: Detected & { kind: 'history' }, src: Source, onProgress: (bytes: number) => void): AsyncIterable<HistoryItem[]> {
  switch (d.format) {
    case 'spotify-account':
      return readSpotifyAccount(src, onProgress);
    case 'spotify-extended':
      return readSpotifyExtended(src, onProgress);
    case 'lastfm-csv':
      return readLastfmCsv(src, d.variant === 'headerless', onProgress);
    case 'listenbrainz':
      return readListenBrainz(src, d.variant, onProgress);
    default:
      throw new ImportError(src.name, null, `no history reader for ${d.format}`);
  }
}
