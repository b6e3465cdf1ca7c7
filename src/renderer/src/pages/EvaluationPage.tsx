import { useState } from 'react';
import type { EvaluationSummary } from '../../../shared/ipc';
import { call } from '../api';
import { t } from '../strings';
import { HBars } from '../components/charts';
import { ErrorBox, Loading } from '../components/ui';

const METRICS = ['ndcg@10', 'hit_rate@10', 'map@10', 'recall@50', 'mrr', 'auc', 'genre_match@10', 'precision', 'recall', 'f1', 'diversity@10', 'coverage@10', 'serendipity@10'];
type Rankers = EvaluationSummary['rankers'];

function Table({ title, rankers }: { title: string; rankers: Rankers }) {
  if (!rankers.length) return <p className="hint">{t('eval.nothing', { title })}</p>;
  return (
    <>
      <h4>{title}</h4>
      <div className="table-scroll">
        <table className="table">
          <thead><tr><th>{t('eval.metric')}</th>{rankers.map((r) => <th key={r.name}>{r.name}</th>)}</tr></thead>
          <tbody>{METRICS.map((m) => <tr key={m}><td>{m}</td>{rankers.map((r) => <td key={r.name}>{Number.isFinite(r.metrics[m]) ? r.metrics[m].toFixed(3) : '—'}</td>)}</tr>)}</tbody>
        </table>
      </div>
    </>
  );
}

/**
 * The serving model on the chosen person's own held-out listening (the last 20 % of their history,
 * which it never saw), against every baseline seeing the same listening.
 */
export function EvaluationPage({ profileId, profileName }: { profileId: number | null; profileName: string | null }) {
  const [result, setResult] = useState<EvaluationSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await call('evaluation:run', profileId ? { profileId } : {}));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const best = (rs: Rankers) => rs.filter((r) => r.name !== 'two_tower').sort((a, b) => (b.metrics['ndcg@10'] ?? 0) - (a.metrics['ndcg@10'] ?? 0))[0];
  return (
    <section aria-labelledby="eval-title">
      <h2 id="eval-title">{t('page.evaluation')}</h2>
      <p className="lead">{t('eval.lead', { who: profileName ?? t('eval.you') })}</p>
      <button type="button" onClick={run} disabled={busy}>{t('eval.run')}</button>
      {busy && <Loading label={t('eval.ranking')} />}
      {error && <ErrorBox message={error} />}
      {result && result.users === 0 && (
        <p className="card" role="status" data-testid="eval-none">{t('eval.noneHeldOut', { who: result.profile ?? profileName ?? t('eval.you') })}</p>
      )}
      {result && result.users > 0 && (
        <div className="cards">
          <div className="card wide">
            <h3>{result.profile ? t('eval.ownTitle', { who: result.profile, run: result.runId }) : t('eval.allTitle', { users: result.users, run: result.runId })}</h3>
            {result.rankers.length > 1 && best(result.rankers) && (
              <p data-testid="eval-verdict">
                {t('eval.verdictNew', { model: result.rankers[0].metrics['ndcg@10']?.toFixed(3) ?? '—', best: best(result.rankers).name, value: best(result.rankers).metrics['ndcg@10']?.toFixed(3) ?? '—' })}
                {result.allPlays.length > 1 && best(result.allPlays) && ` ${t('eval.verdictAll', { model: result.allPlays[0].metrics['ndcg@10']?.toFixed(3) ?? '—', best: best(result.allPlays).name, value: best(result.allPlays).metrics['ndcg@10']?.toFixed(3) ?? '—' })}`}
              </p>
            )}
            <p className="hint">{t('eval.small')}</p>
            <Table title={t('eval.discovery')} rankers={result.rankers} />
            <Table title={t('eval.allPlays')} rankers={result.allPlays} />
          </div>
          <div className="card">
            <h3>{t('eval.barsTitle')}</h3>
            <HBars data={result.rankers.map((r) => ({ label: r.name, value: r.metrics['ndcg@10'] ?? 0 }))} max={Math.max(0.05, ...result.rankers.map((r) => r.metrics['ndcg@10'] ?? 0))} label={t('eval.barsLabel')} format={(v) => v.toFixed(3)} />
          </div>
        </div>
      )}
    </section>
  );
}
