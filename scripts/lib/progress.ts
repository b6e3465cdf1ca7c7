/** A terminal progress bar on stderr (drawn only on a TTY; silent in CI logs and pipes). */
export class ProgressBar {
  private last = 0;
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly start = Date.now();
  constructor(private label: string) {}

  update(done: number, total: number, detail = ''): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.last < 80 && done < total) return;
    this.last = now;
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const fill = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = frac > 0.02 ? ` ETA ${Math.max(0, elapsed / frac - elapsed).toFixed(0)}s` : '';
    const line = `${this.label} [${'█'.repeat(fill)}${'░'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}%${eta} ${detail}`;
    process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 120) - 1).padEnd(Math.min(process.stderr.columns ?? 120, 120) - 1)}`);
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
