import { useEffect, useMemo, useState } from 'react';
import type { Recommendation, RecommendOptions } from '../../../shared/types';
import { call } from '../api';
import { Empty, ErrorBox, Loading, VirtualList, pct } from '../components/ui';
import { t } from '../strings';

const ERAS: { label: string; from?: number; to?: number }[] = [
  { label: t('recs.anyEra') }, { label: t('recs.before1980'), to: 1979 }, { label: '1980s', from: 1980, to: 1989 }, { label: '1990s', from: 1990, to: 1999 },
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
  /** The row the keyboard is on (roving focus in the list). */
  const [active, setActive] = useState(0);
  /** What the last action did, said to screen readers. */
  const [said, setSaid] = useState('');
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
        setActive((a) => Math.min(a, Math.max(0, r.length - 1)));
        setLoading(false);
      },
      (e: Error) => live && (setError(e.message), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [profileId, options, tick]);

  if (!profileId) return <Empty title={t('recs.noProfile')}>{t('recs.noProfileHint')}</Empty>;
  const feedback = async (r: Recommendation, kind: 'like' | 'dislike' | 'never_artist') => {
    try {
      await call('recommend:feedback', { profileId, kind, trackId: r.trackId, artistId: kind === 'never_artist' ? r.artistId : undefined });
      setSaid(t(kind === 'like' ? 'recs.liked' : kind === 'dislike' ? 'recs.disliked' : 'recs.nevered', { title: r.title, artist: r.artist }));
      setTick((n) => n + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const moreLike = async (r: Recommendation) => {
    try {
      setSimilar({ of: r, list: await call('recommend:similar', { trackId: r.trackId, k: 10 }) });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  /** Keys on the active row: Enter shows why, L like, D not for me, N never this artist, S more like this. */
  const onKey = (key: string, r: Recommendation): boolean => {
    const k = key.toLowerCase();
    if (key === 'Enter' || key === ' ') setSelected(r);
    else if (k === 'l') void feedback(r, 'like');
    else if (k === 'd') void feedback(r, 'dislike');
    else if (k === 'n') void feedback(r, 'never_artist');
    else if (k === 's') void moreLike(r);
    else return false;
    return true;
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
      <h2 id="recs-title">{t('recs.title')}</h2>
      <div className="toolbar" role="group" aria-label={t('recs.filters')}>
        <label>{t('recs.genre')}
          <select value={genre} onChange={(e) => setGenre(e.target.value)}>
            <option value="">{t('recs.allGenres')}</option>
            {genres.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        </label>
        <label>{t('recs.era')}
          <select value={era} onChange={(e) => setEra(Number(e.target.value))}>
            {ERAS.map((x, i) => <option key={x.label} value={i}>{x.label}</option>)}
          </select>
        </label>
        <label className="slider">{t('recs.discovery')}
          <input type="range" min={-1} max={1} step={0.25} value={discovery} onChange={(e) => setDiscovery(Number(e.target.value))} aria-label={t('recs.discoveryLabel')} />
        </label>
        <label className="slider">{t('recs.variety')}
          <input type="range" min={0} max={0.8} step={0.1} value={diversity} onChange={(e) => setDiversity(Number(e.target.value))} aria-label={t('recs.varietyLabel')} />
        </label>
        <label>{t('recs.howMany')}
          <select value={k} onChange={(e) => setK(Number(e.target.value))}>{[20, 50, 100, 500].map((n) => <option key={n}>{n}</option>)}</select>
        </label>
        <span className="spacer" />
        <span className="muted small">{t('recs.export')}</span>
        <button type="button" className="secondary" onClick={() => exportAs('m3u8')}>M3U8</button>
        <button type="button" className="secondary" onClick={() => exportAs('xspf')}>XSPF</button>
        <button type="button" className="secondary" onClick={() => exportAs('csv')}>CSV</button>
      </div>
      {error && (/no trained model/.test(error)
        ? <Empty title={t('recs.noModel')}><p>{t('recs.noModelHint')}</p><button type="button" onClick={onNeedTraining}>{t('recs.goTraining')}</button></Empty>
        : <ErrorBox message={error} onRetry={() => setTick((n) => n + 1)} />)}
      {loading && !recs && <Loading label={t('recs.finding')} />}
      <p className="visually-hidden" role="status" aria-live="polite">{said}</p>
      {recs && !error && (
        recs.length === 0 ? <Empty title={t('recs.nothing')}>{t('recs.nothingHint')}</Empty> : (
          <div className="recs-layout">
            <div>
            <VirtualList
              label={t('recs.list')}
              items={recs}
              rowHeight={58}
              height={560}
              active={active}
              onActive={setActive}
              onKey={onKey}
              render={(r, i) => (
                <div className={`rec-row${selected?.trackId === r.trackId ? ' selected' : ''}${i === active ? ' active' : ''}`} data-testid="rec-row">
                  <button type="button" className="rec-main" data-row-focus tabIndex={i === active ? 0 : -1} onFocus={() => setActive(i)}
                    onClick={() => { setActive(i); setSelected(r); }}
                    aria-label={t('recs.row', { rank: r.rank, title: r.title, artist: r.artist, genre: r.genre ?? t('explain.unknownGenre'), year: r.year ? `, ${r.year}` : '', score: pct(r.score) })}
                    aria-describedby="recs-keys">
                    <span className="rank">{r.rank}</span>
                    <span className="rec-text">
                      <span className="title">{r.title}</span>
                      <span className="sub">{r.artist}{r.knownArtist ? '' : t('recs.newArtist')}</span>
                    </span>
                    <span className="tag">{r.genre ?? '—'}</span>
                    <span className="year">{r.year ?? ''}</span>
                    <span className="score" title={t('recs.scoreTitle')}>{pct(r.score)}</span>
                  </button>
                  <span className="actions">
                    <button type="button" className="icon" tabIndex={i === active ? 0 : -1} onClick={() => feedback(r, 'like')} aria-label={t('recs.like', { title: r.title })} title={t('recs.likeTitle')}>♥</button>
                    <button type="button" className="icon" tabIndex={i === active ? 0 : -1} onClick={() => feedback(r, 'dislike')} aria-label={t('recs.dislike', { title: r.title })} title={t('recs.dislikeTitle')}>✕</button>
                    <button type="button" className="icon" tabIndex={i === active ? 0 : -1} onClick={() => feedback(r, 'never_artist')} aria-label={t('recs.never', { artist: r.artist })} title={t('recs.neverTitle')}>⊘</button>
                    <button type="button" className="icon" tabIndex={i === active ? 0 : -1} onClick={() => moreLike(r)} aria-label={t('recs.similar', { title: r.title })} title={t('recs.similarTitle')}>≈</button>
                  </span>
                </div>
              )}
            />
            <p id="recs-keys" className="muted small keys-hint">{t('recs.keys')}</p>
            </div>
            <aside className="card explain" aria-live="polite" data-testid="explanation" tabIndex={-1}>
              {selected ? <Explanation r={selected} /> : <p className="muted">{t('recs.selectHint')}</p>}
              {similar && (
                <div className="similar">
                  <h4>{t('recs.moreLike', { title: similar.of.title })}</h4>
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
      <p className="sub">{r.artist} · {r.genre ?? t('explain.unknownGenre')}{r.year ? ` · ${r.year}` : ''}</p>
      {e && <p className="summary">{e.summary}</p>}
      {e && (
        <ul className="factors">
          {e.factors.map((f) => (
            <li key={`${f.kind}-${f.label}`}>
              <span className={`factor-bar ${f.contribution >= 0 ? 'up' : 'down'}`} style={{ width: `${Math.max(4, Math.abs(f.share) * 100)}%` }} aria-hidden="true" />
              <span className="factor-text">{f.contribution >= 0 ? '▲' : '▼'} {f.text}</span>
              {f.kind === 'audio' && f.trackValue !== undefined && f.userValue !== undefined && Number.isFinite(f.userValue) && f.label !== 'tempo' && f.label !== 'loudness' && (
                <span className="compare" aria-label={t('explain.compare', { track: f.trackValue.toFixed(2), you: f.userValue.toFixed(2) })}>
                  <span className="dot you" style={{ left: `${f.userValue * 100}%` }} title={t('explain.yourAverage')} />
                  <span className="dot track" style={{ left: `${f.trackValue * 100}%` }} title={t('explain.thisTrack')} />
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {e && e.becauseArtists.length > 0 && (
        <p className="muted small">{t('explain.because', { artists: e.becauseArtists.map((b) => (b.plays ? t('explain.plays', { artist: b.artist, plays: b.plays }) : t('explain.saved', { artist: b.artist, saved: b.saved ?? 0 }))).join(', ') })}</p>
      )}
      <p className="muted small">{t('explain.measured')}</p>
    </div>
  );
}
