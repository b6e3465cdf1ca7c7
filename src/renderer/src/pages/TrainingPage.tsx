import { formatDateTime, t } from '../strings';
import { useEffect, useState } from 'react';
import type { RunSummary, TrainingProgressEvent } from '../../../shared/ipc';
import { api, call } from '../api';
import { LineChart } from '../components/charts';
import { ErrorBox, Loading, Progress, useAsync } from '../components/ui';
import { CONFIG_FILES, type Schema } from '../../../shared/config-schema';

interface Field { key: string; label: string; kind: 'int' | 'num' | 'enum' | 'bool'; options?: readonly string[]; min?: number; max?: number; description?: string }

/** The form is generated from the configuration schema (JSON Schema data): every scalar key of the training and model files. */
function fieldsFrom(schema: Schema, prefix: string, out: Field[]): Field[] {
  const s = schema as { type?: string; properties?: Record<string, Schema>; anyOf?: { const?: string }[]; minimum?: number; maximum?: number; description?: string };
  if (s.type === 'object') for (const [k, c] of Object.entries(s.properties ?? {})) fieldsFrom(c, prefix ? `${prefix}.${k}` : k, out);
  else if (s.type === 'integer' || s.type === 'number') out.push({ key: prefix, label: prefix, kind: s.type === 'integer' ? 'int' : 'num', min: s.minimum, max: s.maximum, description: s.description });
  else if (s.type === 'boolean') out.push({ key: prefix, label: prefix, kind: 'bool', description: s.description });
  else if (s.anyOf?.every((o) => typeof o.const === 'string')) out.push({ key: prefix, label: prefix, kind: 'enum', options: s.anyOf.map((o) => o.const!), description: s.description });
  return out;
}
const ALL_FIELDS = [...fieldsFrom(CONFIG_FILES.training.spec, '', []), ...fieldsFrom(CONFIG_FILES.model.spec, '', [])].filter((f) => !f.key.startsWith('logging.'));
const PRIMARY = ['training.epochs', 'training.batch_size', 'training.learning_rate', 'training.loss', 'training.negatives.per_positive', 'training.early_stopping.enabled', 'model.prediction', 'model.embedding_dim', 'training.seed', 'training.backend'];
const LABELS: Record<string, string> = {
  'training.epochs': 'Epochs', 'training.batch_size': 'Batch size', 'training.learning_rate': 'Learning rate', 'training.loss': 'Loss',
  'training.negatives.per_positive': 'Negatives per positive', 'training.early_stopping.enabled': 'Early stopping', 'model.prediction': 'Prediction head',
  'model.embedding_dim': 'Embedding size', 'training.seed': 'Seed', 'training.backend': 'Compute backend',
};
const FIELDS: Field[] = PRIMARY.map((k) => ({ ...ALL_FIELDS.find((f) => f.key === k)!, label: LABELS[k] }));
const ADVANCED: Field[] = ALL_FIELDS.filter((f) => !PRIMARY.includes(f.key));

const get = (o: unknown, key: string): unknown => key.split('.').reduce((a: unknown, k) => (a as Record<string, unknown>)?.[k], o);

export function TrainingPage({ backend, onTrained }: { backend: string | null; onTrained: () => void }) {
  const cfg = useAsync(() => call('training:config', {}), []);
  const runs = useAsync(() => call('training:runs', {}), []);
  const [values, setValues] = useState<Record<string, string>>({});
  const [progress, setProgress] = useState<TrainingProgressEvent | null>(null);
  const [live, setLive] = useState<{ epoch: number; loss: number; ndcg: number | null; all: number | null }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const running = progress !== null && !['done', 'failed', 'cancelled'].includes(progress.phase);

  useEffect(
    () =>
      api.on('training:progress', (p) => {
        setProgress(p);
        if (p.metrics) setLive((l) => [...l.filter((x) => x.epoch !== p.epoch + 1), { epoch: p.epoch + 1, loss: p.loss ?? NaN, ndcg: p.metrics?.['ndcg@10'] ?? null, all: p.metrics?.['all_plays/ndcg@10'] ?? null }]);
        if (p.phase === 'done') {
          runs.reload();
          onTrained();
        }
        if (p.phase === 'failed' || p.phase === 'cancelled') {
          runs.reload();
          if (p.phase === 'failed') setError(p.message ?? 'training failed');
        }
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  useEffect(() => {
    if (cfg.data) setValues(Object.fromEntries(ALL_FIELDS.map((f) => [f.key, String(get(cfg.data!.config, f.key))])));
  }, [cfg.data]);

  const start = async (warm = false) => {
    setError(null);
    setLive([]);
    setProgress({ runId: null, phase: 'prepare', epoch: 0, epochs: Number(values['training.epochs']), step: 0, steps: 0, loss: null, etaS: null });
    try {
      const overrides = ALL_FIELDS.filter((f) => values[f.key] !== String(get(cfg.data?.config, f.key))).map((f) => `${f.key}=${values[f.key]}`);
      await call('training:start', warm ? { overrides, warm } : { overrides });
    } catch (e) {
      setProgress(null);
      setError((e as Error).message);
    }
  };
  const frac = progress && progress.steps ? (progress.epoch * progress.steps + progress.step) / (progress.epochs * progress.steps) : 0;
  const eta = progress?.etaS ? t('train.eta', { minutes: Math.ceil(progress.etaS / 60) }) : '';

  return (
    <section aria-labelledby="train-title">
      <h2 id="train-title">{t('page.training')}</h2>
      <p className="muted">{t('train.backend')} <strong data-testid="backend">{backend ?? t('train.backendLater')}</strong></p>
      <div className="cards">
        <form className="card" onSubmit={(e) => { e.preventDefault(); void start(); }}>
          <h3>{t('train.config')}</h3>
          {cfg.loading && <Loading />}
          {cfg.error && <ErrorBox message={cfg.error} />}
          {cfg.data && FIELDS.map((f) => <FieldInput key={f.key} f={f} value={values[f.key] ?? ''} onChange={(v) => setValues({ ...values, [f.key]: v })} />)}
          {cfg.data && (
            <details className="advanced">
              <summary>{t('train.all', { n: ADVANCED.length })}</summary>
              {ADVANCED.map((f) => <FieldInput key={f.key} f={f} value={values[f.key] ?? ''} onChange={(v) => setValues({ ...values, [f.key]: v })} />)}
            </details>
          )}
          <div className="row">
            <button type="submit" disabled={running || !cfg.data}>{t('train.start')}</button>
            <button type="button" className="secondary" disabled={running || !cfg.data || !runs.data?.some((r) => r.serving)} onClick={() => void start(true)}
              title={t('train.quickHint')}>{t('train.quick')}</button>
            <button type="button" className="secondary" disabled={!running} onClick={() => void call('training:cancel', {})}>{t('train.cancel')}</button>
          </div>
          <p className="muted small">{t('train.checked')}</p>
        </form>
        <div className="card wide">
          <h3>{t('train.progress')}</h3>
          {progress ? (
            <Progress value={progress.phase === 'done' ? 1 : frac} label={progress.phase === 'prepare' ? t('train.preparing') : progress.phase === 'done' ? t('train.finished') : progress.phase === 'cancelled' ? t('train.cancelled') : progress.phase === 'failed' ? t('train.failed') : t('train.epoch', { epoch: progress.epoch + 1, epochs: progress.epochs, validating: progress.phase === 'validate' ? t('train.validating') : '', eta })} />
          ) : <p className="muted">{t('train.idle')}</p>}
          {error && <ErrorBox message={error} />}
          {/* Loss and the validation metrics on scales of their own (a loss of ~8 flattened NDCG's 0–1). */}
          <div className="charts-row">
            <div>
              <LineChart label={t('train.chartLoss')} series={[{ name: t('train.loss'), className: 'line-loss', points: live.map((p) => ({ x: p.epoch, y: p.loss })) }]} width={260} />
              <p className="legend"><span className="swatch loss" /> {t('train.loss')}</p>
            </div>
            <div>
              <LineChart
                label={t('train.chart')}
                series={[
                  { name: t('train.validNew'), className: 'line-metric', points: live.map((p) => ({ x: p.epoch, y: p.ndcg ?? NaN })) },
                  { name: t('train.validAll'), className: 'line-metric2', points: live.map((p) => ({ x: p.epoch, y: p.all ?? NaN })) },
                ]}
                width={260}
              />
              <p className="legend"><span className="swatch metric" /> {t('train.validNew')} <span className="swatch metric2" /> {t('train.validAll')}</p>
            </div>
          </div>
        </div>
      </div>
      <h3>{t('train.runs')}</h3>
      {runs.error && <ErrorBox message={runs.error} onRetry={runs.reload} />}
      {runs.data && (runs.data.length === 0 ? <p className="muted">{t('train.noRuns')}</p> : <RunsTable runs={runs.data} onServe={async (id) => { await call('training:serve', { runId: id }); runs.reload(); onTrained(); }} />)}
    </section>
  );
}

function RunsTable({ runs, onServe }: { runs: RunSummary[]; onServe: (id: number) => void }) {
  return (
    <table className="table">
      <thead><tr>{(['run', 'started', 'status', 'backend', 'epochs', 'ndcg', 'ndcgAll'] as const).map((c) => <th key={c}>{t(`train.col.${c}`)}</th>)}<th /></tr></thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td>#{r.id}</td>
            <td>{formatDateTime(r.createdAt)}</td>
            <td><span className={`status ${r.status}`}>{r.status}</span>{r.error && r.status === 'failed' ? <span className="muted small"> {r.error}</span> : null}</td>
            <td>{r.backend}</td>
            <td>{r.epochs ?? '—'}</td>
            <td>{r.metrics['valid/ndcg@10']?.toFixed(4) ?? '—'}</td>
            <td>{r.metrics['valid/all_plays/ndcg@10']?.toFixed(4) ?? '—'}</td>
            <td>{r.serving ? <strong>{t('train.serving')}</strong> : r.status === 'completed' ? <button type="button" className="secondary" onClick={() => onServe(r.id)}>{t('train.use')}</button> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FieldInput({ f, value, onChange }: { f: Field; value: string; onChange: (v: string) => void }) {
  return (
    <label title={f.description}>
      {f.label}
      {f.kind === 'enum' ? (
        <select value={value} onChange={(e) => onChange(e.target.value)}>{f.options!.map((o) => <option key={o}>{o}</option>)}</select>
      ) : f.kind === 'bool' ? (
        <select value={value} onChange={(e) => onChange(e.target.value)}><option value="true">{t('train.on')}</option><option value="false">{t('train.off')}</option></select>
      ) : (
        <input type="number" min={f.min} max={f.max} step={f.kind === 'num' ? 'any' : 1} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </label>
  );
}
