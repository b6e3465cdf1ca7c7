/** Reports a person can read at a glance: JSON, a Markdown summary and SVG bar charts. */
import fs from 'node:fs';
import path from 'node:path';

export interface Bar {
  label: string;
  value: number;
  lo?: number;
  hi?: number;
  highlight?: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart with optional confidence whiskers. */
export function barChartSvg(title: string, bars: Bar[], opts: { width?: number; format?: (v: number) => string } = {}): string {
  const width = opts.width ?? 640;
  const fmt = opts.format ?? ((v: number) => v.toFixed(3));
  const left = 140;
  const right = 70;
  const rowH = 28;
  const top = 40;
  const h = top + bars.length * rowH + 20;
  const max = Math.max(1e-9, ...bars.map((b) => Math.max(b.value, b.hi ?? 0)));
  const x = (v: number) => left + ((width - left - right) * Math.max(0, v)) / max;
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const whisker = b.lo !== undefined && b.hi !== undefined
      ? `<line x1="${x(b.lo)}" x2="${x(b.hi)}" y1="${y + 11}" y2="${y + 11}" stroke="#333" stroke-width="1.5"/>` : '';
    return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="13">${esc(b.label)}</text>
<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(b.value) - left)}" height="18" rx="3" fill="${b.highlight ? '#1f7a5c' : '#9aa5b1'}"/>${whisker}
<text x="${x(Math.max(b.value, b.hi ?? 0)) + 6}" y="${y + 15}" font-size="12">${fmt(b.value)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="24" font-size="15" font-weight="600">${esc(title)}</text>
${rows.join('\n')}
</svg>
`;
}

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number | undefined) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(4) : '—') : (v ?? '—'));
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** reports/<YYYY-MM-DD>/ under `root`. */
export function reportDir(root: string, date = new Date()): string {
  const dir = path.join(root, 'reports', date.toISOString().slice(0, 10));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A reported best epoch (training/trainer.ts `reportedBestEpoch`) as text: "3", or an ensemble's members' "1 / 2". */
export function epochLabel(epoch: number | number[]): string {
  return [epoch].flat().join(' / ');
}
