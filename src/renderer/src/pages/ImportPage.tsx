import { useEffect, useState } from 'react';
import type { CommunitySummary } from '../../../shared/ipc';
import type { ImportProgress, ImportReport } from '../../../shared/types';
import { api, call } from '../api';
import { ErrorBox, Progress, num, pct } from '../components/ui';

async function toBase64(file: File): Promise<string> {
  const buf = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return btoa(s);
}

export function ImportPage({ onImported, hasCatalog, communitySources = 0 }: { onImported: () => void; hasCatalog: boolean; communitySources?: number }) {
  const [profile, setProfile] = useState('me');
  const [history, setHistory] = useState<FileList | null>(null);
  const [catalog, setCatalog] = useState<FileList | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [favourites, setFavouritesText] = useState('');
  const [favNote, setFavNote] = useState<string | null>(null);
  const [community, setCommunity] = useState<CommunitySummary | null>(null);
  const [communityNote, setCommunityNote] = useState<string | null>(null);

  useEffect(() => api.on('import:progress', setProgress), []);

  const saveFavourites = async () => {
    setError(null);
    setFavNote(null);
    try {
      const artists = favourites.split(/[,\n]/).map((a) => a.trim()).filter(Boolean).slice(0, 50);
      const r = await call('profile:favourites', { name: profile.trim(), artists });
      setFavNote(`${r.matched.length ? `Starting from ${r.matched.join(', ')}.` : 'None of these artists is in the catalogue yet.'}${r.unknown.length ? ` Not in the catalogue: ${r.unknown.join(', ')}.` : ''}`);
      onImported();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const importCommunity = async () => {
    setBusy(true);
    setError(null);
    setCommunity(null);
    setCommunityNote(null);
    setProgress(null);
    try {
      const { paths } = await call('import:pick', { kind: 'community' });
      if (!paths.length) throw new Error('nothing was chosen');
      setCommunity(await call('import:community', { path: paths[0] }));
      onImported();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const deleteCommunity = async () => {
    setError(null);
    try {
      const { deleted } = await call('import:community-delete', {});
      setCommunity(null);
      setCommunityNote(`Deleted ${deleted} community dataset(s) and everything they added.`);
      onImported();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const run = async (what: () => Promise<ImportReport>) => {
    setBusy(true);
    setError(null);
    setReport(null);
    setProgress(null);
    try {
      setReport(await what());
      onImported();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const send = (files: FileList, kind: 'history' | 'catalog') =>
    run(async () => {
      const mb = [...files].reduce((n, f) => n + f.size, 0) / 1024 ** 2;
      // Uploads travel as text; the main process refuses more than this in one go.
      if (mb > 150) throw new Error(`these files come to ${Math.round(mb)} MB; upload at most 150 MB at once, or choose them with "Choose files or a folder…"`);
      return call('import:files', { kind, profile: kind === 'history' ? profile.trim() : undefined, files: await Promise.all([...files].map(async (f) => ({ name: f.name, base64: await toBase64(f) }))) });
    });

  return (
    <section aria-labelledby="import-title">
      <h2 id="import-title">Import your listening</h2>
      <p className="lead">
        Drop in the export Spotify, Last.fm or ListenBrainz sent you — a <code>.zip</code>, <code>StreamingHistory*.json</code>, <code>Streaming_History_Audio_*.json</code>, a scrobble CSV or a ListenBrainz <code>.jsonl</code>. The format is recognised from the content. Nothing leaves this computer.
      </p>
      <div className="cards">
        <form className="card" onSubmit={(e) => { e.preventDefault(); if (history?.length) void send(history, 'history'); }}>
          <h3>Listening history</h3>
          <label>
            Whose history is it?
            <input value={profile} onChange={(e) => setProfile(e.target.value)} required maxLength={200} aria-label="Profile name" />
          </label>
          <label>
            Export files
            <input type="file" multiple accept=".json,.jsonl,.csv,.zip" onChange={(e) => setHistory(e.target.files)} data-testid="history-files" />
          </label>
          <button type="submit" disabled={busy || !history?.length || !profile.trim()}>Import history</button>
          {!hasCatalog && <p className="hint">Tip: add a catalogue too, so listens can be matched to tracks with audio features.</p>}
        </form>
        <form className="card" onSubmit={(e) => { e.preventDefault(); void saveFavourites(); }}>
          <h3>Starting out?</h3>
          <p className="muted">No export yet, or only a few listens: name a few artists you like and get recommendations at once. They improve as your listening arrives.</p>
          <label>
            Artists you like (comma-separated)
            <input value={favourites} onChange={(e) => setFavouritesText(e.target.value)} maxLength={4000} placeholder="Frank Ocean, Daniel Caesar, Lorde" />
          </label>
          <button type="submit" disabled={busy || !favourites.trim() || !profile.trim()}>Start from these artists</button>
          {favNote && <p className="hint" role="status">{favNote}</p>}
        </form>
        <form className="card" onSubmit={(e) => { e.preventDefault(); if (catalog?.length) void send(catalog, 'catalog'); }}>
          <h3>Track catalogue</h3>
          <p className="muted">A CSV of tracks with Spotify audio features (the Spotify Tracks Dataset, TidyTuesday <code>spotify_songs.csv</code>, or an Exportify playlist).</p>
          <label>
            Catalogue CSV
            <input type="file" multiple accept=".csv" onChange={(e) => setCatalog(e.target.files)} data-testid="catalog-files" />
          </label>
          <button type="submit" disabled={busy || !catalog?.length}>Add catalogue</button>
        </form>
        <form className="card" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const { paths } = await call('import:pick', { kind: 'history' });
            if (!paths.length) throw new Error('nothing was chosen');
            return call('import:run', { catalogs: [], histories: paths, profile: profile.trim() });
          });
        }}>
          <h3>A whole folder</h3>
          <p className="muted">An export folder or the <code>.zip</code> Spotify sends, chosen with your system’s file chooser; every file in it is read.</p>
          <button type="submit" disabled={busy || !profile.trim()}>Choose files or a folder…</button>
        </form>
        <form className="card" onSubmit={(e) => { e.preventDefault(); void importCommunity(); }}>
          <h3>Community listening (optional)</h3>
          <p className="muted">
            Public listening data you downloaded yourself — slices of the Spotify Million Playlist Dataset (<code>mpd.slice.*.json</code>) or the
            HetRec Last.fm folder — teaches which artists go together. It is kept only as artist co-occurrence and track counts, never as people,
            and can be deleted in one step.
          </p>
          <div className="row">
            <button type="submit" disabled={busy || !hasCatalog}>Choose community data…</button>
            <button type="button" className="secondary" disabled={busy || !communitySources} onClick={() => void deleteCommunity()}>Delete community data</button>
          </div>
          <p className="muted small" data-testid="community-status">
            {communitySources ? `${communitySources} community dataset(s) in your library.` : 'No community data yet.'}
            {!hasCatalog && ' Add a catalogue first: community listening is matched to its artists.'}
          </p>
          {community && (
            <p role="status">
              {community.source}: {num(community.groups)} {community.kind === 'mpd' ? 'playlists' : 'listeners'}, {pct(community.rows ? community.matchedRows / community.rows : 0)} of rows matched
              to {num(community.artists)} artists here, {num(community.pairs)} artist neighbours — in {community.seconds.toFixed(1)} s. Retrain to use it.
            </p>
          )}
          {communityNote && <p role="status">{communityNote}</p>}
        </form>
      </div>
      {busy && (
        <div className="row">
          <div style={{ flex: 1 }}><Progress value={progress && progress.bytesTotal ? progress.bytesDone / progress.bytesTotal : 0} label={progress ? `${progress.phase}: ${num(progress.records)} records` : 'Starting…'} /></div>
          <button type="button" className="secondary" onClick={() => void call('import:cancel', {})}>Cancel</button>
        </div>
      )}
      {error && <ErrorBox message={error} />}
      {report && <ImportSummary report={report} />}
    </section>
  );
}

function ImportSummary({ report: r }: { report: ImportReport }) {
  return (
    <div className="card report" data-testid="import-report">
      <h3>Import finished in {r.seconds.toFixed(1)} s</h3>
      {r.catalog.rows > 0 && (
        <p>
          Catalogue: {num(r.catalog.rows)} rows → <strong>{num(r.catalog.inserted)}</strong> new tracks, {num(r.catalog.merged)} merged; {num(r.catalog.tracksTotal)} tracks in your library.
        </p>
      )}
      {r.events > 0 && (
        <>
          <p>
            <strong>{num(r.imported)}</strong> listens imported of {num(r.events)} read; {num(r.duplicates)} were already here, {num(r.skipped)} skipped.
          </p>
          <div className="stats-row">
            <div className="stat"><span className="stat-value">{pct(r.trackMatch, 1)}</span><span className="stat-label">matched to a catalogue track</span></div>
            <div className="stat"><span className="stat-value">{pct(r.artistMatch, 1)}</span><span className="stat-label">matched to a known artist</span></div>
          </div>
          {Object.keys(r.skippedReasons).length > 0 && (
            <ul className="compact">
              {Object.entries(r.skippedReasons).map(([reason, n]) => (
                <li key={reason}>skipped {num(n)}: {reason}</li>
              ))}
            </ul>
          )}
          {r.topUnmatchedArtists.length > 0 && (
            <p className="muted">Your most-played artists the catalogue does not know: {r.topUnmatchedArtists.slice(0, 8).map((a) => `${a.artist} (${num(a.plays)})`).join(', ')}. Their listens still count through the artist.</p>
          )}
        </>
      )}
      {r.ignoredFiles.length > 0 && <p className="muted">Ignored {r.ignoredFiles.length} file(s) that are not listening exports.</p>}
    </div>
  );
}
