import { useEffect, useState } from 'react';
import type { CommunitySummary } from '../../../shared/ipc';
import { groupsArePlaylists, type ImportProgress, type ImportReport } from '../../../shared/types';
import { api, call } from '../api';
import { ErrorBox, Progress, num, pct } from '../components/ui';
import { t } from '../strings';

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
      setFavNote(`${r.matched.length ? t('import.fav.from', { artists: r.matched.join(', ') }) : t('import.fav.none')}${r.unknown.length ? ` ${t('import.fav.unknown', { artists: r.unknown.join(', ') })}` : ''}`);
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
      if (!paths.length) throw new Error(t('import.nothingChosen'));
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
      setCommunityNote(t('import.community.deleted', { n: deleted }));
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
      if (mb > 150) throw new Error(t('import.tooBig', { mb: Math.round(mb) }));
      return call('import:files', { kind, profile: kind === 'history' ? profile.trim() : undefined, files: await Promise.all([...files].map(async (f) => ({ name: f.name, base64: await toBase64(f) }))) });
    });

  return (
    <section aria-labelledby="import-title">
      <h2 id="import-title">{t('import.title')}</h2>
      <p className="lead">{t('import.lead')}</p>
      <div className="cards">
        <form className="card" onSubmit={(e) => { e.preventDefault(); if (history?.length) void send(history, 'history'); }}>
          <h3>{t('import.history')}</h3>
          <label>
            {t('import.whose')}
            <input value={profile} onChange={(e) => setProfile(e.target.value)} required maxLength={200} aria-label={t('import.profileName')} />
          </label>
          <label>
            {t('import.files')}
            <input type="file" multiple accept=".json,.jsonl,.csv,.zip" onChange={(e) => setHistory(e.target.files)} data-testid="history-files" />
          </label>
          <button type="submit" disabled={busy || !history?.length || !profile.trim()}>{t('import.importHistory')}</button>
          {!hasCatalog && <p className="hint">{t('import.tip')}</p>}
        </form>
        <form className="card" onSubmit={(e) => { e.preventDefault(); void saveFavourites(); }}>
          <h3>{t('import.start')}</h3>
          <p className="muted">{t('import.startHint')}</p>
          <label>
            {t('import.artists')}
            <input value={favourites} onChange={(e) => setFavouritesText(e.target.value)} maxLength={4000} placeholder="Frank Ocean, Daniel Caesar, Lorde" />
          </label>
          <button type="submit" disabled={busy || !favourites.trim() || !profile.trim()}>{t('import.startButton')}</button>
          {favNote && <p className="hint" role="status">{favNote}</p>}
        </form>
        <form className="card" onSubmit={(e) => { e.preventDefault(); if (catalog?.length) void send(catalog, 'catalog'); }}>
          <h3>{t('import.catalogue')}</h3>
          <p className="muted">{t('import.catalogueHint')}</p>
          <label>
            {t('import.catalogueCsv')}
            <input type="file" multiple accept=".csv" onChange={(e) => setCatalog(e.target.files)} data-testid="catalog-files" />
          </label>
          <button type="submit" disabled={busy || !catalog?.length}>{t('import.addCatalogue')}</button>
        </form>
        <form className="card" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const { paths } = await call('import:pick', { kind: 'history' });
            if (!paths.length) throw new Error(t('import.nothingChosen'));
            return call('import:run', { catalogs: [], histories: paths, profile: profile.trim() });
          });
        }}>
          <h3>{t('import.folder')}</h3>
          <p className="muted">{t('import.folderHint')}</p>
          <button type="submit" disabled={busy || !profile.trim()}>{t('import.choose')}</button>
        </form>
        <form className="card" onSubmit={(e) => { e.preventDefault(); void importCommunity(); }}>
          <h3>{t('import.community')}</h3>
          <p className="muted">{t('import.communityHint')}</p>
          <div className="row">
            <button type="submit" disabled={busy || !hasCatalog}>{t('import.communityChoose')}</button>
            <button type="button" className="secondary" disabled={busy || !communitySources} onClick={() => void deleteCommunity()}>{t('import.communityDelete')}</button>
          </div>
          <p className="muted small" data-testid="community-status">
            {communitySources ? t('import.communityCount', { n: communitySources }) : t('import.communityNone')}
            {!hasCatalog && ` ${t('import.communityFirst')}`}
          </p>
          {community && (
            <p role="status">
              {t(groupsArePlaylists(community.kind) ? 'import.communityDoneMpd' : 'import.communityDoneHetrec', {
                source: community.source, groups: num(community.groups), share: pct(community.rows ? community.matchedRows / community.rows : 0),
                artists: num(community.artists), pairs: num(community.pairs), seconds: community.seconds.toFixed(1),
                tags: community.taggedArtists > 0 ? t('import.communityTags', { n: num(community.taggedArtists) }) : '',
              })}
            </p>
          )}
          {communityNote && <p role="status">{communityNote}</p>}
        </form>
      </div>
      {busy && (
        <div className="row">
          <div style={{ flex: 1 }}><Progress value={progress && progress.bytesTotal ? progress.bytesDone / progress.bytesTotal : 0} label={progress ? t('import.progress', { phase: progress.phase, records: num(progress.records) }) : t('import.starting')} /></div>
          <button type="button" className="secondary" onClick={() => void call('import:cancel', {})}>{t('train.cancel')}</button>
        </div>
      )}
      {error && <ErrorBox message={error} />}
      {report && <ImportSummary report={report} />}
    </section>
  );
}

/** A path's last part (both separators: the report may come from Windows). */
const fileName = (p: string) => p.split(/[\\/]/).pop() ?? p;

export function ImportSummary({ report: r }: { report: ImportReport }) {
  // What the importer noticed about a whole file (times to the day only, values left missing …).
  const notes = r.files.flatMap((f) => (f.notes ?? []).map((note) => ({ file: fileName(f.path), note })));
  return (
    <div className="card report" data-testid="import-report">
      <h3>{t('import.done', { seconds: r.seconds.toFixed(1) })}</h3>
      {r.catalog.rows > 0 && (
        <p>
          {t('import.catalogueDone', { rows: num(r.catalog.rows), inserted: num(r.catalog.inserted), merged: num(r.catalog.merged), total: num(r.catalog.tracksTotal) })}
        </p>
      )}
      {r.events > 0 && (
        <>
          <p>
            {t('import.listensDone', { imported: num(r.imported), read: num(r.events), duplicates: num(r.duplicates), skipped: num(r.skipped) })}
          </p>
          <div className="stats-row">
            <div className="stat"><span className="stat-value">{pct(r.trackMatch, 1)}</span><span className="stat-label">{t('import.matchedTrack')}</span></div>
            <div className="stat"><span className="stat-value">{pct(r.artistMatch, 1)}</span><span className="stat-label">{t('import.matchedArtist')}</span></div>
          </div>
          {Object.keys(r.skippedReasons).length > 0 && (
            <ul className="compact">
              {Object.entries(r.skippedReasons).map(([reason, n]) => (
                <li key={reason}>{t('import.skipped', { n: num(n), reason })}</li>
              ))}
            </ul>
          )}
          {r.topUnmatchedArtists.length > 0 && (
            <p className="muted">{t('import.unknownArtists', { artists: r.topUnmatchedArtists.slice(0, 8).map((a) => `${a.artist} (${num(a.plays)})`).join(', ') })}</p>
          )}
        </>
      )}
      {r.catalog.skipped > 0 && <p className="muted">{t('import.catalogueSkipped', { n: num(r.catalog.skipped) })}</p>}
      {notes.length > 0 && (
        <ul className="compact muted" data-testid="import-notes">
          {notes.map((n, i) => <li key={i}>{t('import.note', n)}</li>)}
        </ul>
      )}
      {r.ignoredFiles.length > 0 && <p className="muted">{t('import.ignored', { n: r.ignoredFiles.length })}</p>}
    </div>
  );
}
