/** An import failure that names the file, where in it, and what was expected. */
export class ImportError extends Error {
  constructor(
    public readonly file: string,
    public readonly where: string | null,
    public readonly problem: string,
  ) {
    super(`${file}${where ? ` (${where})` : ''}: ${problem}`);
    this.name = 'ImportError';
  }
}
