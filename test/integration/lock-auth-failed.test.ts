import { beforeEach, expect, it } from 'vitest';
import { AuthFailedError } from '../../src/index.js';
import { LeaseLostError, Mutex } from '../../src/recipes/index.js';
import { rejectionOf } from '../support/poll.js';
import { clientsClosedAfterEach, uniqueRoot } from './helpers.js';

// A client whose credentials the server refuses stops for good (`authFailed`): its lock holds
// must be reported lost and its waits must end, not hang on watches that can never fire.

const open = clientsClosedAfterEach();
let root: string;

beforeEach(async () => {
  root = uniqueRoot('authfail');
  await (await open()).create(root);
});

it('authFailed ends a held lease (lost) and a waiting acquire (AuthFailedError)', async () => {
  const holderClient = await open(root);
  const waiterClient = await open(root);
  const other = await open(root);
  const held = await new Mutex(holderClient, '/lock').acquire();
  const blocker = await new Mutex(other, '/blocked').acquire();
  const waiting = rejectionOf(new Mutex(waiterClient, '/blocked').acquire());
  // Let the waiter reach its watch before its client fails.
  while ((await other.getChildren('/blocked')).children.length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all([
    rejectionOf(holderClient.addAuth('no-such-scheme', 'x')),
    rejectionOf(waiterClient.addAuth('no-such-scheme', 'x')),
  ]);
  expect(holderClient.state).toBe('authFailed');
  expect(held.signal.aborted).toBe(true);
  expect(held.signal.reason).toBeInstanceOf(LeaseLostError);
  expect((held.signal.reason as LeaseLostError).lossCause).toBe('lost');
  expect(await waiting).toBeInstanceOf(AuthFailedError);
  // release() of the lost hold settles rather than retrying forever.
  await held.release();
  await blocker.release();
});
