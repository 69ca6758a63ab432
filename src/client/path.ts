import { InvalidArgumentError } from './errors.js';

/**
 * Rejects what the Java client's `PathUtils.validatePath` rejects, before anything is sent.
 * Sequential creates are checked as `path + '1'`, as Java does, so `/queue/` is a valid prefix.
 */
export function validatePath(path: unknown, sequential = false): asserts path is string {
  if (typeof path !== 'string') {
    throw new InvalidArgumentError(`path must be a string, got ${typeof path}`);
  }
  const reason = pathProblem(sequential ? `${path}1` : path);
  if (reason !== undefined) {
    throw new InvalidArgumentError(`invalid path ${JSON.stringify(path)}: ${reason}`);
  }
}

function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'path must not be empty';
  if (!path.startsWith('/')) return 'path must start with /';
  if (path.length === 1) return undefined;
  if (path.endsWith('/')) return 'path must not end with /';
  let last = '/';
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const ch = path[i];
    if (c === 0) return `null character not allowed @${i}`;
    if (ch === '/' && last === '/') return `empty node name @${i}`;
    if (ch === '.' && isDotSegment(path, i)) return `relative paths not allowed @${i}`;
    if (isForbiddenChar(c)) return `invalid character @${i}`;
    last = ch ?? '';
  }
  return undefined;
}

/** True when the `.` at index i ends a `/.` or `/..` segment. */
function isDotSegment(path: string, i: number): boolean {
  const endsSegment = i + 1 === path.length || path[i + 1] === '/';
  if (!endsSegment) return false;
  if (path[i - 1] === '/') return true;
  return path[i - 1] === '.' && path[i - 2] === '/';
}

function isForbiddenChar(c: number): boolean {
  return (
    (c > 0x00 && c <= 0x1f) ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0xd800 && c <= 0xf8ff) ||
    (c >= 0xfff0 && c <= 0xffff)
  );
}

/** The parent of a valid absolute path (`/` for top-level nodes). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Joins a parent path and a child name. */
export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
