import type { Stat } from '../index.js';
import { followLeader } from '../recipes/election/observe-leader.js';
import { defineCommand, noMoreArguments, pathArgument } from './define-command.js';
import { SignalTrap } from './signal-trap.js';

/** `leader`: who leads the election at a path, whichever library runs it; with --watch, every change. */

/**
 * The node names of the elections this understands, by kind: Curator's LeaderLatch (and
 * zkcoord's LeaderElection), Curator's LeaderSelector (a mutex queue), kazoo's Election (a Lock).
 */
const KINDS = [
  { kind: 'latch', marker: 'latch-' },
  { kind: 'selector', marker: 'lock-' },
  { kind: 'kazoo', marker: '__lock__' },
] as const;
const MARKERS = KINDS.map(({ marker }) => marker);

interface LeaderNode {
  readonly path: string;
  readonly data: Buffer;
  readonly stat: Stat;
}

export const leader = defineCommand({
  name: 'leader',
  synopsis: 'leader [--watch] <path>',
  help: `Shows the leader of the election at <path>: zkcoord's LeaderElection and Curator's
LeaderLatch (latch- nodes), Curator's LeaderSelector (lock- nodes) and kazoo's Election
(__lock__ nodes). The leader is the candidate with the lowest sequence number; its id is its
node's data. Prints "no leader" when nobody campaigns (or <path> does not exist).

Options:
  --watch                  print the leader now, then every change, until Ctrl-C (SIGINT) or
                           SIGTERM; watch-driven, it survives reconnects
Output: "<id>  <kind> <node> session 0x<hex> epoch <czxid>"; with --json one
{"time","path","leader":{"id","kind","node","session","epoch","ctime"}|null} object per line.`,
  boolean: ['watch'],
  json: true,
  plan: ({ positionals, flags }) => {
    noMoreArguments(positionals, 1);
    return { path: pathArgument(positionals[0]), watch: flags.has('watch') };
  },
  async run(zk, { path, watch }, io) {
    using signals = new SignalTrap();
    const stop = new AbortController();
    const onStop = (): void => {
      stop.abort();
    };
    signals.signal.addEventListener('abort', onStop, { once: true });
    const print = (node: LeaderNode | undefined): void => {
      const time = new Date().toISOString();
      io.output(
        { time, path, leader: node === undefined ? null : leaderJson(node) },
        leaderLine(node),
      );
    };
    const leaders = followLeader(zk, path, MARKERS, (node) => node, stop.signal);
    try {
      for await (const node of leaders) {
        print(node);
        if (!watch) return;
      }
    } finally {
      stop.abort();
      signals.signal.removeEventListener('abort', onStop);
    }
  },
});

function kindOf(name: string): string {
  // The last marker in the name tells: a protected prefix may hold anything before it.
  let found = 'other';
  let at = -1;
  for (const { kind, marker } of KINDS) {
    const index = name.lastIndexOf(marker);
    if (index > at) {
      at = index;
      found = kind;
    }
  }
  return found;
}

function leaderJson({ path, data, stat }: LeaderNode): Record<string, string> {
  const node = path.slice(path.lastIndexOf('/') + 1);
  return {
    id: data.toString('utf8'),
    kind: kindOf(node),
    node,
    session: `0x${stat.ephemeralOwner.toString(16)}`,
    epoch: stat.czxid.toString(),
    ctime: new Date(Number(stat.ctime)).toISOString(),
  };
}

function leaderLine(node: LeaderNode | undefined): string {
  if (node === undefined) return 'no leader';
  const { id, kind, node: name, session, epoch } = leaderJson(node);
  return `${id === '' ? '(no id)' : id}  ${kind} ${name} session ${session} epoch ${epoch}`;
}
