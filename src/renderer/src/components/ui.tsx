import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { rlog } from '../api';
import { formatNumber, formatPercent, t } from '../strings';

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
      <strong>{t('ui.error')}</strong> <span className="error-text">{message}</span>
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t('ui.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading({ label = t('ui.loading') }: { label?: string }) {
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

/**
 * A windowed list: renders only the rows in view, so thousands of rows stay fast. Each row says
 * where it is (aria-posinset / aria-setsize, so a screen reader announces "3 of 50"). With
 * `active`/`onActive` it is keyboard-driven (roving focus): ↑ ↓ Home End PageUp PageDown move
 * between rows — the row's element marked `data-row-focus` takes the focus — and other keys go
 * to `onKey` with the active row.
 */
export function VirtualList<T>({ items, rowHeight, height, render, label, active, onActive, onKey }: {
  items: T[]; rowHeight: number; height: number; render: (item: T, i: number) => ReactNode; label: string;
  active?: number; onActive?: (i: number) => void; onKey?: (key: string, item: T, i: number) => boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const moved = useRef(false);
  const first = Math.max(0, Math.floor(top / rowHeight) - 4);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 4);
  useEffect(() => {
    const el = ref.current;
    if (active === undefined || !el) return;
    const y = active * rowHeight;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + rowHeight > el.scrollTop + height) el.scrollTop = y + rowHeight - height;
    setTop(el.scrollTop);
  }, [active, rowHeight, height]);
  useEffect(() => {
    // After a key moved the active row (and it was rendered), the focus follows it.
    if (!moved.current || active === undefined) return;
    const target = ref.current?.querySelector<HTMLElement>(`[data-index="${active}"] [data-row-focus]`);
    if (target) {
      target.focus({ preventScroll: true });
      moved.current = false;
    }
  });
  const onKeyDown = (e: KeyboardEvent) => {
    if (active === undefined || !onActive || !items.length || e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const to = ({ ArrowDown: active + 1, ArrowUp: active - 1, Home: 0, End: items.length - 1, PageDown: active + page, PageUp: active - page } as Record<string, number>)[e.key];
    if (to !== undefined) {
      e.preventDefault();
      moved.current = true;
      onActive(Math.max(0, Math.min(items.length - 1, to)));
    } else if ((e.key !== 'Enter' && e.key !== ' ') || (e.target as HTMLElement).hasAttribute('data-row-focus')) {
      // Enter and Space stay with the row's other buttons (like, …) when one of them has the focus.
      if (onKey?.(e.key, items[active], active)) e.preventDefault();
    }
  };
  return (
    <div ref={ref} className="vlist" style={{ height }} onScroll={(e) => setTop((e.target as HTMLDivElement).scrollTop)} onKeyDown={onKeyDown} role="list" aria-label={label}>
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, k) => (
          <div key={first + k} role="listitem" aria-setsize={items.length} aria-posinset={first + k + 1} data-index={first + k}
            style={{ position: 'absolute', top: (first + k) * rowHeight, left: 0, right: 0, height: rowHeight }}>
            {render(item, first + k)}
          </div>
        ))}
      </div>
    </div>
  );
}

export const pct = (x: number, digits = 0) => formatPercent(x, digits);
export const num = (x: number) => formatNumber(x);
