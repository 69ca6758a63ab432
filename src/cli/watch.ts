import { SessionExpiredError, ZkCoordError } from '../index.js';
import type { PersistentWatchEvent } from '../index.js';
import { defineCommand, noMoreArguments, pathArgument } from './define-command.js';
import { SignalTrap } from './signal-trap.js';

/** `watch`: a persistent (or recursive) watch printed one event per line until stopped. */

const NOT_REPLAYED = 'reconnected; changes made while disconnected were not replayed';

function eventJson(event: PersistentWatchEvent, time: string): Record<string, string> {
  const zxid = 'zxid' in event ? event.zxid : undefined;
  return {
    time,
    type: event.type,
    path: event.path,
    ...(zxid === undefined ? {} : { zxid: zxid.toString() }),
  };
}

function eventLine(event: PersistentWatchEvent, time: string): string {
  const note = event.type === 'watchResumed' ? `  (${NOT_REPLAYED})` : '';
  // nodeChildrenChanged is the longest type: the paths line up.
  return `${time} ${event.type.padEnd(19)} ${event.path}${note}`;
}

export const watch = defineCommand({
  name: 'watch',
  synopsis: 'watch [-R] <path>',
  help: `Prints the changes of <path> as they happen, one line per event, until Ctrl-C (SIGINT) or
SIGTERM, then exits 0. <path> need not exist. Needs ZooKeeper 3.6+.

Options:
  -R, --recursive          also every node below <path> (no nodeChildrenChanged then)
Events: nodeCreated, nodeDeleted, nodeDataChanged, nodeChildrenChanged; watchResumed after a
reconnect (changes made while disconnected are not replayed: re-read what you need).
Output: "<ISO time> <type> <path>" lines; with --json one {"time","type","path","zxid"?} object
per line (zxid from ZooKeeper 3.9). The session ending is an error (exit 69).`,
  boolean: ['recursive'],
  short: { R: 'recursive' },
  json: true,
  // A new session would have no watch: the loss must end the command, not be papered over.
  connectOptions: { newSessionOnLoss: false },
  plan: ({ positionals, flags }) => {
    noMoreArguments(positionals, 1);
    return { path: pathArgument(positionals[0]), recursive: flags.has('recursive') };
  },
  async run(zk, { path, recursive }, io) {
    using signals = new SignalTrap();
    // A reader that went away (`zkcoord watch / | head -3`) ends the watch like Ctrl-C.
    const gone = new AbortController();
    const onOutputError = (): void => {
      gone.abort();
    };
    process.stdout.on('error', onOutputError);
    const stop = AbortSignal.any([signals.signal, gone.signal]);
    const onState = (state: string): void => {
      if (state === 'suspended') io.note('connection lost; reconnecting');
    };
    zk.on('state', onState);
    try {
      await using watcher = await zk.addWatch(path, {
        mode: recursive ? 'persistent-recursive' : 'persistent',
        signal: stop,
      });
      if (stop.aborted) return;
      io.note(`watching ${path}${recursive ? ' and below' : ''}; Ctrl-C to stop`);
      for await (const event of watcher) {
        if (event.type === 'watchLost') {
          if (event.reason === 'sessionExpired') {
            throw new SessionExpiredError(path, 'the session ended; the watch is gone');
          }
          throw new ZkCoordError('WATCH_LOST', `the watch on ${path} ended (${event.reason})`);
        }
        const time = new Date().toISOString();
        io.output(eventJson(event, time), eventLine(event, time));
      }
    } finally {
      zk.off('state', onState);
      process.stdout.off('error', onOutputError);
    }
  },
});
