import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { rlog } from '../api';

export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e: Error) => {
        rlog.warning(e.message);
        if (live) setState({ data: null, error: e.message, loading: false });
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) };
}

export function ErrorBox({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="error" role="alert">
      <strong>Something went wrong.</strong> <span className="error-text">{message}</span>
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted loading" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(1, value)) * 100;
  return (
    <div className="progress" role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100} aria-label={label}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
      <span className="progress-label">{label}</span>
    </div>
  );
}

/** A windowed list: renders only the rows in view, so thousands of rows stay fast. */
export function VirtualList<T>({ items, rowHeight, height, render, label }: { items: T[]; rowHeight: number; height: number; render: (item: T, i: number) => ReactNode; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / rowHeight) - 4);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 4);
  return (
    <div ref={ref} className="vlist" style={{ height }} onScroll={(e) => setTop((e.target as HTMLDivElement).scrollTop)} role="list" aria-label={label}>
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, k) => (
          <div key={first + k} role="listitem" style={{ position: 'absolute', top: (first + k) * rowHeight, left: 0, right: 0, height: rowHeight }}>
            {render(item, first + k)}
          </div>
        ))}
      </div>
    </div>
  );
}

export const pct = (x: number, digits = 0) => `${(x * 100).toFixed(digits)} %`;
export const num = (x: number) => x.toLocaleString('en-US');
