import { describe, expect, it } from 'vitest';
import { RequestQueue } from '../../../src/client/session/request-queue.js';
import type { OutstandingRequest } from '../../../src/client/session/request-queue.js';

function request(xid: number): OutstandingRequest {
  return {
    xid,
    opcode: 4,
    path: undefined,
    response: null,
    createdAt: 0,
    sentAt: 0,
    complete: () => undefined,
    fail: () => undefined,
  };
}

describe('RequestQueue', () => {
  it('is first in, first out across compactions', () => {
    const queue = new RequestQueue();
    let next = 0;
    for (let i = 0; i < 5000; i++) queue.push(request(i));
    for (let i = 0; i < 3000; i++) expect(queue.shift()?.xid).toBe(next++);
    for (let i = 5000; i < 7000; i++) queue.push(request(i));
    expect(queue.size).toBe(4000);
    expect([...queue.entries()][0]?.xid).toBe(3000);
    while (queue.size > 10) expect(queue.shift()?.xid).toBe(next++);
    expect(queue.drain().map((r) => r.xid)).toEqual([
      6990, 6991, 6992, 6993, 6994, 6995, 6996, 6997, 6998, 6999,
    ]);
    expect(queue.shift()).toBeUndefined();
    expect(queue.size).toBe(0);
  });
});
