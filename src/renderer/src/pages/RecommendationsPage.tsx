import { useEffect, useMemo, useState } from 'react';
import type { Recommendation, RecommendOptions } from '../../../shared/types';
import { call } from '../api';
import { Empty, ErrorBox, Loading, VirtualList, pct } from '../components/ui';

const ERAS: { label: string; from?: number; to?: number }[] = [
  { label: 'Any era' }, { label: 'Before 1980', to: 1979 }, { label: '1980s', from: 1980, to: 1989 }, { label: '1990s', from: 1990, to: 1999 },
  { label: '2000s', from: 2000, to: 2009 }, { label: '2010s', from: 2010, to: 2019 }, { label: '2020s', from: 2020 },
];

export function RecommendationsPage({ profileId, genres, onNeedTraining }: { profileId: number | null; genres: string[]; onNeedTraining: () => void }) {
  const [k, setK] = useState(50);
  const [genre, setGenre] = useState('');
  const [era, setEra] = useState(0);
  const [discovery, setDiscovery] = useState(0);
  const [diversity, setDiversity] = useState(0.2);
  const [recs, setRecs] = useState<Recommendation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<Recommendation | null>(null);
  const [similar, setSimilar] = useState<{ of: Recommendation; list: Recommendation[] } | null>(null);
  const [tick, setTick] = useState(0);

  const options: RecommendOptions = useMemo(
    () => ({ k, explain: true, discovery, diversity, genres: genre ? [genre] : undefined, yearFrom: ERAS[era].from, yearTo: ERAS[era].to }),
    [k, genre, era, discovery, diversity],
  );

  useEffect(() => {
    if (!profileId) return;
    let live = true;
    setLoading(true);
    setError(null);
    call('recommend:list', { profileId, options }).then(
      (r) => {
        if (!live) return;
        setRecs(r);
        setSelected((s) => r.find((x) => x.trackId === s?.trackId) ?? r[0] ?? null);
        setLoading(false);
      },
      (e: Error) => live && (setError(e.message), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [profileId, options, tick]);

  if (!profileId) return <Empty title="No profile yet">Import a listening export first.</Empty>;
  const feedback = async (r: Recommendation, kind: 'like' | 'dislike' | 'never_artist') => {
    try {
      await call('recommend:feedback', { profileId, kind, trackId: r.trackId, artistId: kind === 'never_artist' ? r.artistId : undefined });
      setTick((t) => t + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const exportAs = async (format: 'm3u8' | 'xspf' | 'csv') => {
    try {
      const x = await call('recommend:export', { profileId, format, options });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([x.content], { type: x.mime }));
      a.download = x.filename;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section aria-labelledby="recs-title">
      <h2 id="recs-title">Recommended for you</h2>
      <div className="toolbar" role="group" aria-label="Filters">
        <label>Genre
          <select value={genre} onChange={(e) => setGenre(e.target.value)}>
            <option value="">All genres</option>
            {genres.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        </label>
        <label>Era
          <select value={era} onChange={(e) => setEra(Number(e.target.value))}>
            {ERAS.map((x, i) => <option key={x.label} value={i}>{x.label}</option>)}
          </select>
        </label>
        <label className="slider">Familiar ↔ new
          <input type="range" min={-1} max={1} step={0.25} value={discovery} onChange={(e) => setDiscovery(Number(e.target.value))} aria-label="Discovery: familiar artists or new artists" />
        </label>
        <label className="slider">Variety
          <input type="range" min={0} max={0.8} step={0.1} value={diversity} onChange={(e) => setDiversity(Number(e.target.value))} aria-label="Variety of the list" />
        </label>
        <label>How many
          <select value={k} onChange={(e) => setK(Number(e.target.value))}>{[20, 50, 100, 500].map((n) => <option key={n}>{n}</option>)}</select>
        </label>
        <span className="spacer" />
        <span className="muted small">Export:</span>
        <button type="button" className="secondary" onClick={() => exportAs('m3u8')}>M3U8</button>
        <button type="button" className="secondary" onClick={() => exportAs('xspf')}>XSPF</button>
        <button type="button" className="secondary" onClick={() => exportAs('csv')}>CSV</button>
      </div>
      {error && (/no trained model/.test(error)
        ? <Empty title="No model yet"><p>Train the recommender on your listening first.</p><button type="button" onClick={onNeedTraining}>Go to Training</button></Empty>
        : <ErrorBox message={error} onRetry={() => setTick((t) => t + 1)} />)}
      {loading && !recs && <Loading label="Finding music for you…" />}
      {recs && !error && (
        recs.length === 0 ? <Empty title="Nothing matches these filters">Try another genre or era.</Empty> : (
          <div className="recs-layout">
            <VirtualList
              label="Recommendations"
              items={recs}
              rowHeight={58}
              height={560}
              render={(r) => (
                <div className={`rec-row${selected?.trackId === r.trackId ? ' selected' : ''}`} data-testid="rec-row">
                  <button type="button" className="rec-main" onClick={() => setSelected(r)} aria-label={`${r.title} by ${r.artist}: show why`}>
                    <span className="rank">{r.rank}</span>
                    <span className="rec-text">
                      <span className="title">{r.title}</span>
                      <span className="sub">{r.artist}{r.knownArtist ? '' : ' · new artist'}</span>
                    </span>
                    <span className="tag">{r.genre ?? '—'}</span>
                    <span className="year">{r.year ?? ''}</span>
                    <span className="score" title="How likely the model thinks you'll like it">{pct(r.score)}</span>
                  </button>
                  <span className="actions">
                    <button type="button" className="icon" onClick={() => feedback(r, 'like')} aria-label={`Like ${r.title}`} title="Like">♥</button>
                    <button type="button" className="icon" onClick={() => feedback(r, 'dislike')} aria-label={`Dislike ${r.title}`} title="Not for me">✕</button>
                    <button type="button" className="icon" onClick={() => feedback(r, 'never_artist')} aria-label={`Never recommend ${r.artist}`} title="Never this artist">⊘</button>
                    <button type="button" className="icon" onClick={async () => setSimilar({ of: r, list: await call('recommend:similar', { trackId: r.trackId, k: 10 }) })} aria-label={`More like ${r.title}`} title="More like this">≈</button>
                  </span>
                </div>
              )}
            />
            <aside className="card explain" aria-live="polite" data-testid="explanation">
              {selected ? <Explanation r={selected} /> : <p className="muted">Select a track to see why.</p>}
              {similar && (
                <div className="similar">
                  <h4>More like “{similar.of.title}”</h4>
                  <ol className="compact">{similar.list.map((s) => <li key={s.trackId}>{s.title} — <span className="muted">{s.artist}</span></li>)}</ol>
                </div>
              )}
            </aside>
          </div>
        )
      )}
    </section>
  );
}

function Explanation({ r }: { r: Recommendation }) {
  const e = r.explanation;
  return (
    <div>
      <h3>{r.title}</h3>
      <p className="sub">{r.artist} · {r.genre ?? 'unknown genre'}{r.year ? ` · ${r.year}` : ''}</p>
      {e && <p className="summary">{e.summary}</p>}
      {e && (
        <ul className="factors">
          {e.factors.map((f) => (
            <li key={`${f.kind}-${f.label}`}>
              <span className={`factor-bar ${f.contribution >= 0 ? 'up' : 'down'}`} style={{ width: `${Math.max(4, Math.abs(f.share) * 100)}%` }} aria-hidden="true" />
              <span className="factor-text">{f.contribution >= 0 ? '▲' : '▼'} {f.text}</span>
              {f.kind === 'audio' && f.trackValue !== undefined && f.userValue !== undefined && Number.isFinite(f.userValue) && f.label !== 'tempo' && f.label !== 'loudness' && (
                <span className="compare" aria-label={`track ${f.trackValue.toFixed(2)}, you ${f.userValue.toFixed(2)}`}>
                  <span className="dot you" style={{ left: `${f.userValue * 100}%` }} title="your average" />
                  <span className="dot track" style={{ left: `${f.trackValue * 100}%` }} title="this track" />
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {e && e.becauseArtists.length > 0 && (
        <p className="muted small">Because you listen to {e.becauseArtists.map((b) => `${b.artist} (${b.plays} plays)`).join(', ')}.</p>
      )}
      <p className="muted small">Each factor's share is measured on the model: how much the score drops when that factor is neutralised.</p>
    </div>
  );
}
