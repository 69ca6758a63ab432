import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, InvalidArgumentError, ZooKeeper } from '../../src/index.js';
import { rejectionOf } from '../support/poll.js';
import { clientsClosedAfterEach, COUNTED_FRAMES, uniqueRoot } from './helpers.js';

// Request size limits against the server's jute.maxbuffer (1,048,575 bytes per frame, excluding
// the 4-byte length prefix). A request the server would refuse (it would drop the connection) is
// refused by the client instead, with nothing sent, and the session carries on.

const MAX_FRAME = 1_048_575;
/** Request header: xid + type. */
const HEADER = 8;
/** OPEN_ACL_UNSAFE as a vector: count, perms, "world", "anyone". */
const OPEN_ACL_BYTES = 4 + 4 + (4 + 5) + (4 + 6);

const open = clientsClosedAfterEach();
let zk: ZooKeeper;
let root: string;

beforeEach(async () => {
  root = uniqueRoot('limits');
  await (await open()).create(root);
  zk = await open(root, COUNTED_FRAMES);
});

/** Bytes of a path as sent: the server path, chroot included, UTF-8. */
function serverPathBytes(path: string): number {
  return Buffer.byteLength(`${root}${path}`, 'utf8');
}

/** The largest data for which the create frame is exactly `maxFrame` bytes. */
function largestCreateData(path: string, maxFrame = MAX_FRAME): number {
  // header + path (length-prefixed) + data (length-prefixed) + ACL vector + flags
  return maxFrame - HEADER - (4 + serverPathBytes(path)) - 4 - OPEN_ACL_BYTES - 4;
}

/** The largest data for which the setData frame is exactly MAX_FRAME bytes. */
function largestSetData(path: string): number {
  // header + path (length-prefixed) + data (length-prefixed) + version
  return MAX_FRAME - HEADER - (4 + serverPathBytes(path)) - 4 - 4;
}

async function expectRefusedLocally(
  client: ZooKeeper,
  run: () => Promise<unknown>,
): Promise<InvalidArgumentError> {
  const before = client.stats;
  const sessionId = client.sessionId;
  const error = await rejectionOf(run());
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  expect(client.stats.framesSent).toBe(before.framesSent);
  // The session goes on: same id, still connected, and a following request succeeds.
  expect(client.sessionId).toBe(sessionId);
  expect(client.state).toBe('connected');
  await expect(client.exists('/')).resolves.not.toBeNull();
  expect(client.sessionId).toBe(sessionId);
  return error as InvalidArgumentError;
}

describe('create', () => {
  it('the largest data that fits in one frame is created and read back intact', async () => {
    const size = largestCreateData('/big');
    expect(size).toBeGreaterThan(1_048_000);
    const data = randomBytes(size);
    const created = await zk.create('/big', data);
    expect(created.stat.dataLength).toBe(size);
    // The reply (header 16 + 4 + data + Stat 68) is larger than the request frame limit.
    const read = await zk.getData('/big');
    expect(read.data.length).toBe(size);
    expect(read.data.equals(data)).toBe(true);
  });

  it('one byte more is refused with nothing sent, and the client keeps working', async () => {
    const size = largestCreateData('/big') + 1;
    await expectRefusedLocally(zk, () => zk.create('/big', randomBytes(size)));
    expect(await zk.exists('/big')).toBeNull();
    await zk.create('/small', 'ok');
    expect((await zk.getData('/small')).data.toString()).toBe('ok');
  });

  it('a multi-byte path counts in bytes, not characters', async () => {
    const path = '/ñandú-日本語';
    const size = largestCreateData(path);
    await expectRefusedLocally(zk, () => zk.create(path, Buffer.alloc(size + 1)));
    const created = await zk.create(path, Buffer.alloc(size, 7));
    expect(created.stat.dataLength).toBe(size);
  });
});

describe('setData', () => {
  it('the largest data that fits is written and read back intact; one more byte is refused', async () => {
    await zk.create('/big', 'before');
    const size = largestSetData('/big');
    const data = randomBytes(size);
    const stat = await zk.setData('/big', data);
    expect(stat.dataLength).toBe(size);
    expect((await zk.getData('/big')).data.equals(data)).toBe(true);

    await expectRefusedLocally(zk, () => zk.setData('/big', randomBytes(size + 1)));
    const after = await zk.getData('/big');
    expect(after.stat.version).toBe(1);
    expect(after.data.equals(data)).toBe(true);
  });
});

describe('oversized requests among others', () => {
  it('refusing one request of a batch leaves the requests around it intact', async () => {
    await zk.create('/a', 'A');
    await zk.create('/b', 'B');
    const tooBig = Buffer.alloc(largestSetData('/a') + 1);
    const before = zk.stats;
    const first = zk.getData('/a');
    const oversized = zk.setData('/a', tooBig);
    const last = zk.getData('/b');
    const third = zk.setData('/b', 'B2');
    expect(await rejectionOf(oversized)).toBeInstanceOf(InvalidArgumentError);
    expect((await first).data.toString()).toBe('A');
    expect((await last).data.toString()).toBe('B');
    expect((await third).version).toBe(1);
    expect(zk.stats.framesSent - before.framesSent).toBe(3);
    expect((await zk.getData('/a')).stat.version).toBe(0);
  });

  it('an oversized transaction is refused with nothing sent and nothing applied', async () => {
    await zk.create('/a');
    const half = Buffer.alloc(600_000);
    await expectRefusedLocally(zk, () =>
      zk.transaction().setData('/a', half).create('/b', half).commit(),
    );
    expect(await zk.exists('/b')).toBeNull();
    expect((await zk.getData('/a')).stat.version).toBe(0);
  });
});

describe('configured limits', () => {
  it('maxRequestSize lowers the outbound limit', async () => {
    const small = await open(root, { maxRequestSize: 1000 });
    const edge = largestCreateData('/edge', 1000);
    await small.create('/edge', Buffer.alloc(edge));
    const limit = largestCreateData('/big', 1000);
    await expectRefusedLocally(small, () => small.create('/big', Buffer.alloc(limit + 1)));
    expect(await small.exists('/big')).toBeNull();
  });

  it('the default is exactly the server limit: one byte over it, the server drops the connection', async () => {
    const loose = await open(root, { maxRequestSize: MAX_FRAME + 1 });
    const sessionId = loose.sessionId;
    const size = largestCreateData('/over') + 1;
    const error = await rejectionOf(loose.create('/over', Buffer.alloc(size)));
    expect(error).toBeInstanceOf(ConnectionLossError);
    expect(await zk.exists('/over')).toBeNull();
    // The session survives the dropped connection.
    await expect(loose.exists('/')).resolves.not.toBeNull();
    expect(loose.sessionId).toBe(sessionId);
  });

  it('a reply above maxResponseSize fails that request with ConnectionLossError; the session resumes', async () => {
    await zk.create('/large', Buffer.alloc(4000, 1));
    await zk.create('/small', 'ok');
    const strict = await open(root, { maxResponseSize: 2000 });
    const sessionId = strict.sessionId;
    const error = await rejectionOf(strict.getData('/large'));
    expect(error).toBeInstanceOf(ConnectionLossError);
    expect(error).toMatchObject({ path: '/large' });
    // The client dropped the connection (the stream cannot be resynchronised) and resumed the
    // same session on a new one.
    expect((await strict.getData('/small')).data.toString()).toBe('ok');
    expect(strict.sessionId).toBe(sessionId);
  });
});
