import { useState } from 'react';
import type { EvaluationSummary } from '../../../shared/ipc';
import { call } from '../api';
import { HBars } from '../components/charts';
import { ErrorBox, Loading } from '../components/ui';

const METRICS = ['ndcg@10', 'hit_rate@10', 'map@10', 'recall@50', 'mrr', 'auc', 'genre_match@10', 'precision', 'recall', 'f1', 'diversity@10', 'coverage@10', 'serendipity@10'];
type Rankers = EvaluationSummary['rankers'];

function Table({ title, rankers }: { title: string; rankers: Rankers }) {
  if (!rankers.length) return <p className="hint">{title}: nothing to rank — no held-out listening of this kind.</p>;
  return (
    <>
      <h4>{title}</h4>
      <div className="table-scroll">
        <table className="table">
          <thead><tr><th>metric</th>{rankers.map((r) => <th key={r.name}>{r.name}</th>)}</tr></thead>
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
      <h2 id="eval-title">Evaluation</h2>
      <p className="lead">
        How well does the serving model predict what {profileName ?? 'you'} listened to in the last part of the history, which it never saw?
        Compared with every baseline — your own most played, your artists’ other tracks, popularity, content and co-listening — on the same split.
      </p>
      <button type="button" onClick={run} disabled={busy}>Evaluate the serving model</button>
      {busy && <Loading label="Ranking the whole catalogue…" />}
      {error && <ErrorBox message={error} />}
      {result && (
        <div className="cards">
          <div className="card wide">
            <h3>{result.profile ? `${result.profile}’s own held-out listening` : `Test period, ${result.users} profile(s)`} — run #{result.runId}</h3>
            {result.rankers.length > 1 && best(result.rankers) && (
              <p data-testid="eval-verdict">
                New to you (discovery), NDCG@10: model {result.rankers[0].metrics['ndcg@10']?.toFixed(3)} against {best(result.rankers).name} {best(result.rankers).metrics['ndcg@10']?.toFixed(3)}.
                {result.allPlays.length > 1 && best(result.allPlays) && ` Everything you played, NDCG@10: model ${result.allPlays[0].metrics['ndcg@10']?.toFixed(3)} against ${best(result.allPlays).name} ${best(result.allPlays).metrics['ndcg@10']?.toFixed(3)}.`}
              </p>
            )}
            <p className="hint">One person’s held-out period is a small sample: these figures move from one retraining to the next.</p>
            <Table title="Discovery — tracks first played in the held-out period" rankers={result.rankers} />
            <Table title="All plays — everything played in the held-out period" rankers={result.allPlays} />
          </div>
          <div className="card">
            <h3>NDCG@10, discovery</h3>
            <HBars data={result.rankers.map((r) => ({ label: r.name, value: r.metrics['ndcg@10'] ?? 0 }))} max={Math.max(0.05, ...result.rankers.map((r) => r.metrics['ndcg@10'] ?? 0))} label="Discovery NDCG@10 by ranker" format={(v) => v.toFixed(3)} />
          </div>
        </div>
      )}
    </section>
  );
}
