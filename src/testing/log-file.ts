import { open, stat } from 'node:fs/promises';

/** Bytes read from the end of a log: enough for the lines a failure message needs. */
const TAIL_WINDOW = 256 * 1024;

/** Current size of a file, or 0 if it does not exist yet (an offset for {@link readLogFrom}). */
export async function logSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/**
 * Text written to `file` since byte `offset` (at most the last window of it). Restarts append to
 * the same log, so a launch inspects only its own part: an old BindException must not fail a new
 * start.
 */
export async function readLogFrom(file: string, offset: number): Promise<string> {
  const size = await logSize(file);
  const start = Math.max(offset, size - TAIL_WINDOW);
  return readRange(file, start, size - start);
}

/** The last `lines` lines of `file` ('' if it does not exist). */
export async function tailLog(file: string, lines: number): Promise<string> {
  const size = await logSize(file);
  const start = Math.max(0, size - TAIL_WINDOW);
  let text = await readRange(file, start, size - start);
  // A window cut mid-file starts mid-line; drop that fragment.
  if (start > 0) text = text.slice(text.indexOf('\n') + 1);
  return lastLines(text, lines);
}

/** The last `lines` lines of `text`, without a trailing newline. */
export function lastLines(text: string, lines: number): string {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all.slice(-lines).join('\n');
}

async function readRange(file: string, start: number, length: number): Promise<string> {
  if (length <= 0) return '';
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
