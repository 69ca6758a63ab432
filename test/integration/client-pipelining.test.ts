import { beforeEach, describe, expect, it } from 'vitest';
import { NodeExistsError, NoNodeError, ZooKeeper } from '../../src/index.js';
import { clientsClosedAfterEach, COUNTED_FRAMES, uniqueRoot } from './helpers.js';

// Many requests in flight at once on one connection: replies are matched in order, each promise
// settles in issue order with its own result, and requests issued in one tick share socket writes.

const open = clientsClosedAfterEach();
let zk: ZooKeeper;

beforeEach(async () => {
  const root = uniqueRoot('pipe');
  await (await open()).create(root);
  zk = await open(root, COUNTED_FRAMES);
});

const name = (i: number): string => `n${String(i).padStart(5, '0')}`;
const payload = (i: number): Buffer => Buffer.from(`payload #${i} ${'x'.repeat(i % 37)}`);

describe('pipelining', () => {
  it('10,000 creates issued at once settle in issue order with the right paths and payloads', async () => {
    const count = 10_000;
    await zk.create('/many');
    const settled: number[] = [];
    const creates = Array.from({ length: count }, (_, i) =>
      zk.create(`/many/${name(i)}`, payload(i)).then((result) => {
        settled.push(i);
        return result;
      }),
    );
    const results = await Promise.all(creates);
    expect(settled).toEqual(Array.from({ length: count }, (_, i) => i));
    results.forEach((result, i) => {
      expect(result.path).toBe(`/many/${name(i)}`);
      expect(result.stat.dataLength).toBe(payload(i).length);
    });
    // Each create is its own transaction, in order.
    for (let i = 1; i < count; i++) {
      expect(results[i]!.stat.czxid).toBeGreaterThan(results[i - 1]!.stat.czxid);
    }

    const reads = await Promise.all(
      Array.from({ length: count }, (_, i) => zk.getData(`/many/${name(i)}`)),
    );
    const wrong = reads.flatMap((read, i) => (read.data.equals(payload(i)) ? [] : [i]));
    expect(wrong).toEqual([]);
    const { children, stat } = await zk.getChildren('/many');
    expect(children).toHaveLength(count);
    expect(stat.numChildren).toBe(count);
  });

  it('1,000 requests issued in one tick leave in at most 4 socket writes', async () => {
    await zk.create('/n', 'data');
    const before = zk.stats;
    const reads = Array.from({ length: 1000 }, () => zk.getData('/n'));
    // Nothing is written before the tick ends: the batch goes out in one write.
    expect(zk.stats.socketWrites).toBe(before.socketWrites);
    const results = await Promise.all(reads);
    const after = zk.stats;
    expect(after.framesSent - before.framesSent).toBe(1000);
    expect(after.socketWrites - before.socketWrites).toBeGreaterThanOrEqual(1);
    expect(after.socketWrites - before.socketWrites).toBeLessThanOrEqual(4);
    expect(after.framesReceived - before.framesReceived).toBeGreaterThanOrEqual(1000);
    for (const { data } of results) expect(data.toString()).toBe('data');
  });

  it('requests in different ticks go out in different writes', async () => {
    await zk.create('/n');
    const before = zk.stats.socketWrites;
    await zk.exists('/n');
    await zk.exists('/n');
    await zk.exists('/n');
    expect(zk.stats.socketWrites - before).toBe(3);
  });

  it('dependent operations issued without awaiting apply in issue order', async () => {
    const create = zk.create('/seq', 'v0');
    const set1 = zk.setData('/seq', 'v1', { version: 0 });
    const read = zk.getData('/seq');
    const set2 = zk.setData('/seq', 'v2', { version: 1 });
    const children = zk.getChildren('/');
    const del = zk.delete('/seq', { version: 2 });
    const gone = zk.exists('/seq');

    expect((await create).stat.version).toBe(0);
    expect((await set1).version).toBe(1);
    const seen = await read;
    expect(seen.data.toString()).toBe('v1');
    expect(seen.stat.version).toBe(1);
    expect((await set2).version).toBe(2);
    expect((await children).children).toEqual(['seq']);
    await del;
    expect(await gone).toBeNull();
  });

  it('failures in the middle of a pipeline reject only their own request', async () => {
    await zk.create('/dup');
    const settled: string[] = [];
    const record =
      (label: string) =>
      (outcome: unknown): unknown => {
        settled.push(label);
        return outcome;
      };
    const ok1 = zk.create('/a').then(record('ok1'));
    const dup = zk.create('/dup').then(record('dup'), (error: unknown) => {
      settled.push('dup');
      return error;
    });
    const ok2 = zk.create('/b').then(record('ok2'));
    const missing = zk.getData('/none').then(record('missing'), (error: unknown) => {
      settled.push('missing');
      return error;
    });
    const ok3 = zk.getChildren('/').then(record('ok3'));

    await expect(ok1).resolves.toMatchObject({ path: '/a' });
    expect(await dup).toBeInstanceOf(NodeExistsError);
    await expect(ok2).resolves.toMatchObject({ path: '/b' });
    expect(await missing).toBeInstanceOf(NoNodeError);
    const listed = (await ok3) as { children: string[] };
    expect([...listed.children].sort()).toEqual(['a', 'b', 'dup']);
    expect(settled).toEqual(['ok1', 'dup', 'ok2', 'missing', 'ok3']);
  });
});
