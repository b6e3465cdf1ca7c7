/** Small SVG charts with no dependencies. */
import { t } from '../strings';

export function BarChart({ data, width = 420, height = 160, format = (v: number) => v.toFixed(1), label }: { data: { label: string; value: number }[]; width?: number; height?: number; format?: (v: number) => string; label: string }) {
  const max = Math.max(1e-9, ...data.map((d) => d.value));
  const bw = data.length ? (width - 20) / data.length : 0;
  return (
    <svg width={width} height={height + 24} role="img" aria-label={label} className="chart">
      {data.map((d, i) => {
        const h = (d.value / max) * height;
        return (
          <g key={d.label}>
            <rect x={10 + i * bw + 1} y={height - h} width={Math.max(1, bw - 2)} height={h} rx={2} className="bar">
              <title>{`${d.label}: ${format(d.value)}`}</title>
            </rect>
            {(data.length <= 14 || i % Math.ceil(data.length / 12) === 0) && (
              <text x={10 + i * bw + bw / 2} y={height + 16} textAnchor="middle" className="axis">
                {d.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export function HBars({ data, format = (v: number) => `${(v * 100).toFixed(0)} %`, max, label }: { data: { label: string; value: number; compare?: number }[]; format?: (v: number) => string; max?: number; label: string }) {
  const m = max ?? Math.max(1e-9, ...data.map((d) => Math.max(d.value, d.compare ?? 0)));
  return (
    <div className="hbars" role="img" aria-label={label}>
      {data.map((d) => (
        <div className="hbar-row" key={d.label}>
          <span className="hbar-label">{d.label}</span>
          <span className="hbar-track">
            <span className="hbar-fill" style={{ width: `${(d.value / m) * 100}%` }} />
            {d.compare !== undefined && <span className="hbar-marker" style={{ left: `${(d.compare / m) * 100}%` }} title={`catalogue ${format(d.compare)}`} />}
          </span>
          <span className="hbar-value">{format(d.value)}</span>
        </div>
      ))}
    </div>
  );
}

export function LineChart({ series, width = 420, height = 160, label }: { series: { name: string; points: { x: number; y: number }[]; className: string }[]; width?: number; height?: number; label: string }) {
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  if (!all.length) return <p className="muted">{t('charts.empty')}</p>;
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys, 1e-9)];
  const px = (x: number) => 30 + ((x - x0) / (x1 - x0)) * (width - 40);
  const py = (y: number) => 10 + (1 - (y - y0) / (y1 - y0)) * (height - 30);
  return (
    <svg width={width} height={height} role="img" aria-label={label} className="chart">
      <line x1={30} x2={width - 10} y1={height - 20} y2={height - 20} className="axis-line" />
      <text x={4} y={14} className="axis">{y1.toFixed(3)}</text>
      <text x={4} y={height - 22} className="axis">{y0.toFixed(2)}</text>
      {series.map((s) => (
        <g key={s.name}>
          <polyline fill="none" className={s.className} points={s.points.filter((p) => Number.isFinite(p.y)).map((p) => `${px(p.x)},${py(p.y)}`).join(' ')} />
          {s.points.filter((p) => Number.isFinite(p.y)).map((p) => (
            <circle key={p.x} cx={px(p.x)} cy={py(p.y)} r={3} className={s.className}>
              <title>{`${s.name} epoch ${p.x}: ${p.y.toFixed(4)}`}</title>
            </circle>
          ))}
        </g>
      ))}
      <text x={width - 10} y={height - 4} textAnchor="end" className="axis">{t('charts.epoch')}</text>
    </svg>
  );
}
