/** Writing a file so that a reader sees the old one or the whole new one, never a part. */
import fs from 'node:fs';
import { threadId } from 'node:worker_threads';

/**
 * Writes `parts` in order to `file` through a temporary file of this process and thread (two
 * writers of the same file do not share one), renamed into place; on failure the temporary file
 * is removed and the error thrown.
 */
export function writeFileAtomically(file: string, parts: ArrayBufferView[]): void {
  const tmp = `${file}.${process.pid}-${threadId}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const p of parts) fs.writeSync(fd, new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
