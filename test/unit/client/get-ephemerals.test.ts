import { afterEach, describe, expect, it } from 'vitest';
import { ZooKeeper } from '../../../src/index.js';
import {
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  OpCode,
  ReplyHeader,
} from '../../../src/protocol/index.js';
import { frame, scriptedServer } from './scripted-server.js';
import type { ScriptedServer } from './scripted-server.js';

// What getEphemerals sends and keeps, which a real server cannot show: a chrooted session cannot
// own an ephemeral outside its chroot, so the filter is fed here by a scripted server that
// answers with paths of its choosing and records the prefix it was asked for.

interface Scripted extends ScriptedServer {
  readonly prefixes: string[];
}

async function ephemeralsServer(ephemerals: string[]): Promise<Scripted> {
  const prefixes: string[] = [];
  const server = await scriptedServer((header, body) => {
    if (header.xid < 0) return undefined; // pings
    return frame((w) => {
      ReplyHeader.write(w, { xid: header.xid, zxid: 5n, err: 0 });
      if (header.type === OpCode.getEphemerals) {
        prefixes.push(GetEphemeralsRequest.read(body).prefixPath);
        GetEphemeralsResponse.write(w, { ephemerals });
      }
    });
  });
  return Object.assign(server, { prefixes });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(ephemerals: string[], chroot: string): Promise<[ZooKeeper, Scripted]> {
  const server = await ephemeralsServer(ephemerals);
  cleanups.push(() => {
    server.close();
  });
  const zk = await ZooKeeper.connect(`127.0.0.1:${server.port}${chroot}`, {
    sessionTimeout: 4000,
  });
  cleanups.push(() => zk.close());
  return [zk, server];
}

describe('getEphemerals under a chroot', () => {
  it('sends chroot + prefix, strips the chroot, and drops paths outside it', async () => {
    const [zk, server] = await connect(
      ['/app/locks/lock-1', '/app', '/app2/x', '/other/y', '/app/e'],
      '/app',
    );
    expect(await zk.getEphemerals('/locks/lock-')).toEqual(['/locks/lock-1', '/e']);
    expect(await zk.getEphemerals()).toEqual(['/locks/lock-1', '/e']);
    expect(server.prefixes).toEqual(['/app/locks/lock-', '/app/']);
  });

  it('without a chroot, sends the prefix as given and keeps every path', async () => {
    const [zk, server] = await connect(['/a', '/b/c'], '');
    expect(await zk.getEphemerals()).toEqual(['/a', '/b/c']);
    expect(server.prefixes).toEqual(['/']);
  });
});
