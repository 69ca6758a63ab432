import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionLossError, NodeExistsError } from '../../../src/index.js';
import type { ZooKeeper } from '../../../src/index.js';
import { protectedCreate } from '../../../src/recipes/coordination/protected-create.js';

// The adoption rule of the protected create, without a server: after a lost reply the node is
// looked for by its uuid and kept only if our session owns it. test/faults/lock-replies.test.ts
// drops real replies on the wire.

const OURS = 0x10n;
const OLD = 0x0fn;

/** One parent's children, a session id, and creates whose reply can be lost after they apply. */
class ServerOfOne {
  sessionId = OURS;
  readonly children = new Map<string, bigint>();
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  /** The next creates apply, then fail as if their reply were lost. */
  loseReplies = 0;
  /** The session that owns what the next create makes (a session lost meanwhile). */
  owner: bigint | undefined;
  private sequence = 0;

  create(path: string): Promise<{ path: string; stat: { ephemeralOwner: bigint } }> {
    const full = `${path}${String(this.sequence++).padStart(10, '0')}`;
    const owner = this.owner ?? this.sessionId;
    this.owner = undefined;
    this.children.set(full.slice('/lock/'.length), owner);
    this.created.push(full);
    if (this.loseReplies > 0) {
      this.loseReplies--;
      return Promise.reject(new ConnectionLossError(path));
    }
    return Promise.resolve({ path: full, stat: { ephemeralOwner: owner } });
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  getChildren(): Promise<{ children: string[] }> {
    return Promise.resolve({ children: [...this.children.keys()] });
  }
  exists(path: string): Promise<{ ephemeralOwner: bigint } | null> {
    const owner = this.children.get(path.slice('/lock/'.length));
    return Promise.resolve(owner === undefined ? null : { ephemeralOwner: owner });
  }
  delete(path: string): Promise<void> {
    this.deleted.push(path);
    this.children.delete(path.slice('/lock/'.length));
    return Promise.resolve();
  }
}

function create(server: ServerOfOne) {
  return protectedCreate(server as unknown as ZooKeeper, '/lock', 'lock-', '', () => undefined);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('protectedCreate', () => {
  it('a create whose reply was lost is found by its uuid and adopted: one node, not two', async () => {
    const server = new ServerOfOne();
    server.loseReplies = 1;
    const node = await create(server);
    expect(server.created).toHaveLength(1);
    expect(node.path).toBe(server.created[0]);
    expect(node.name).toMatch(/^_c_[0-9a-f-]{36}-lock-0000000000$/);
    expect(server.deleted).toEqual([]);
  });

  it('a node found that another session owns is deleted, and the create tried again with a new uuid', async () => {
    const server = new ServerOfOne();
    server.loseReplies = 1;
    server.owner = OLD;
    const creating = create(server);
    await vi.runAllTimersAsync();
    const node = await creating;
    expect(server.created).toHaveLength(2);
    expect(server.deleted).toEqual([server.created[0]]);
    expect(node.path).toBe(server.created[1]);
    const prefix = (path: string | undefined): string => (path ?? '').slice(6, 6 + 40);
    expect(prefix(server.created[1])).not.toBe(prefix(server.created[0]));
  });

  it('an error that says the request was refused is thrown as it is', async () => {
    const server = new ServerOfOne();
    server.create = () => Promise.reject(new NodeExistsError('/lock/x'));
    await expect(create(server)).rejects.toBeInstanceOf(NodeExistsError);
  });
});
