import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** Connect string of the shared server started by global-setup.ts. */
export function connectString(): string {
  return inject('zkConnectString');
}

/**
 * A fresh path such as `/t-3f9a1c2e7b`, unique per call, for per-test isolation: use it as a
 * chroot suffix (`${connectString()}${uniqueRoot()}`) so tests sharing one server never see each
 * other's nodes. The chroot node itself must be created (from an unchrooted client) before use.
 */
export function uniqueRoot(prefix = 't'): string {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) {
    throw new RangeError(`uniqueRoot prefix must be a single path segment, got ${prefix}`);
  }
  return `/${prefix}-${randomBytes(6).toString('hex')}`;
}

/** The error a promise rejects with; fails the test if it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
