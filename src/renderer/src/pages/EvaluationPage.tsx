import { useState } from 'react';
import type { EvaluationSummary } from '../../../shared/ipc';
import { call } from '../api';
import { HBars } from '../components/charts';
import { ErrorBox, Loading } from '../components/ui';

const METRICS = ['hit_rate@10', 'ndcg@10', 'map@10', 'recall@50', 'mrr', 'auc', 'precision', 'recall', 'f1', 'diversity@10', 'coverage@10', 'serendipity@10'];

export function EvaluationPage() {
  const [result, setResult] = useState<EvaluationSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await call('evaluation:run', {}));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="eval-title">
      <h2 id="eval-title">Evaluation</h2>
      <p className="lead">How well does the serving model predict what you listened to in the last part of your history, which it never saw? Compared with the popularity and random baselines on the same split.</p>
      <button type="button" onClick={run} disabled={busy}>Evaluate the serving model</button>
      {busy && <Loading label="Ranking the whole catalogue for every profile…" />}
      {error && <ErrorBox message={error} />}
      {result && (
        <div className="cards">
          <div className="card wide">
            <h3>Test period, {result.users} profile(s) — run #{result.runId}</h3>
            {result.users < 5 && <p className="hint">With so few profiles these figures are noisy; they firm up as more people's listening is imported.</p>}
            <table className="table">
              <thead><tr><th>metric</th>{result.rankers.map((r) => <th key={r.name}>{r.name}</th>)}</tr></thead>
              <tbody>{METRICS.map((m) => <tr key={m}><td>{m}</td>{result.rankers.map((r) => <td key={r.name}>{Number.isFinite(r.metrics[m]) ? r.metrics[m].toFixed(4) : '—'}</td>)}</tr>)}</tbody>
            </table>
          </div>
          <div className="card">
            <h3>HitRate@10</h3>
            <HBars data={result.rankers.map((r) => ({ label: r.name, value: r.metrics['hit_rate@10'] ?? 0 }))} max={1} label="HitRate@10 by ranker" />
          </div>
        </div>
      )}
    </section>
  );
}
