import { NodeExistsError } from '../index.js';
import type { CreateMode, ZooKeeper } from '../index.js';
import { UsageError } from './args.js';
import {
  dataArgument,
  defineCommand,
  noMoreArguments,
  pathArgument,
  versionFlag,
} from './define-command.js';
import { parseLongDuration } from './durations.js';
import { statJson } from './format.js';
import { removeTree } from './walk.js';

/** `set`, `create`, `rm`: the commands that change nodes. */

export const set = defineCommand({
  name: 'set',
  synopsis: 'set [--version N] <path> <data|->',
  help: `Sets the data of <path>: the argument as UTF-8, or all of stdin for -.
Use -- before data that starts with a dash: zkcoord set /n -- -1

Options:
  --version <N>            only if the node's version is N (else exit 65)
Output: nothing; with --json {"path","stat"}, the node's new Stat.`,
  valued: ['version'],
  json: true,
  plan: async ({ positionals, flags }) => {
    noMoreArguments(positionals, 2);
    const path = pathArgument(positionals[0]);
    const data = await dataArgument(positionals[1]);
    if (data === undefined) throw new UsageError('missing the data (- reads stdin)');
    return { path, data, options: versionFlag(flags) };
  },
  async run(zk, { path, data, options }, io) {
    const stat = await zk.setData(path, data, options);
    io.output({ path, stat: statJson(stat) }, '');
  },
});

/** The names `--mode` takes: zkCli's short ones and the library's. */
const MODES: Readonly<Record<string, CreateMode>> = {
  persistent: 'persistent',
  ephemeral: 'ephemeral',
  sequential: 'persistent-sequential',
  'persistent-sequential': 'persistent-sequential',
  'ephemeral-sequential': 'ephemeral-sequential',
  container: 'container',
  ttl: 'persistent-ttl',
  'persistent-ttl': 'persistent-ttl',
  'sequential-ttl': 'persistent-sequential-ttl',
  'persistent-sequential-ttl': 'persistent-sequential-ttl',
};

/** The server's limit on a TTL (2^40 − 1 ms, about 34 years). */
const MAX_TTL_MS = 2 ** 40 - 1;

function createMode(flags: ReadonlyMap<string, string>): { mode: CreateMode; ttl?: number } {
  const name = flags.get('mode') ?? 'persistent';
  const mode = Object.hasOwn(MODES, name) ? MODES[name] : undefined;
  if (mode === undefined) {
    throw new UsageError(
      `--mode takes one of persistent, ephemeral, sequential, ephemeral-sequential, container, ttl, sequential-ttl; got ${JSON.stringify(name)}`,
    );
  }
  const ttlText = flags.get('ttl');
  const wantsTtl = mode.endsWith('-ttl');
  if (wantsTtl !== (ttlText !== undefined)) {
    throw new UsageError(
      wantsTtl ? `--mode ${name} needs --ttl` : '--ttl goes with --mode ttl or sequential-ttl',
    );
  }
  if (ttlText === undefined) return { mode };
  const ttl = parseLongDuration('--ttl', ttlText, MAX_TTL_MS);
  if (ttl === 0) throw new UsageError('--ttl must be more than 0');
  return { mode, ttl };
}

/** Creates the missing ancestors of `path` as empty persistent nodes, outermost first. */
async function createParents(zk: ZooKeeper, path: string): Promise<void> {
  const segments = path.split('/').slice(1, -1);
  for (let i = 1; i <= segments.length; i++) {
    try {
      await zk.create(`/${segments.slice(0, i).join('/')}`);
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  }
}

export const create = defineCommand({
  name: 'create',
  synopsis:
    'create [--mode persistent|ephemeral|sequential|ephemeral-sequential|container|ttl] [--ttl <duration>] [-p] <path> [data|-]',
  help: `Creates <path> with the data (UTF-8; - reads stdin; none: empty) and prints its path, which
for sequential modes carries the server's 10-digit counter.

Options:
  --mode <mode>            persistent (default), ephemeral, sequential, ephemeral-sequential,
                           container, ttl, sequential-ttl. Ephemeral nodes end with the session,
                           that is when zkcoord exits.
  --ttl <duration>         for ttl modes: deleted after this long without changes or children
                           (30s, 2m, 12h, 30d); the server needs extendedTypesEnabled
  -p, --parents            create missing parents (empty, persistent) first
Output: the created path; with --json {"path","stat"}.`,
  valued: ['mode', 'ttl'],
  boolean: ['parents'],
  short: { p: 'parents' },
  json: true,
  plan: async ({ positionals, flags }) => {
    noMoreArguments(positionals, 2);
    const path = pathArgument(positionals[0]);
    const options = createMode(flags);
    return {
      path,
      options,
      parents: flags.has('parents'),
      data: await dataArgument(positionals[1]),
    };
  },
  async run(zk, { path, options, parents, data }, io) {
    if (parents) await createParents(zk, path);
    const created = await zk.create(path, data, options);
    io.output({ path: created.path, stat: statJson(created.stat) }, created.path);
  },
});

export const rm = defineCommand({
  name: 'rm',
  synopsis: 'rm [-R] [--version N] <path>',
  help: `Deletes <path>, which must have no children unless -R is given.

Options:
  -R, --recursive          delete everything below <path> first, deepest first (never /)
  --version <N>            only if the node's version is N (else exit 65, nothing deleted)
Output: nothing.`,
  valued: ['version'],
  boolean: ['recursive'],
  short: { R: 'recursive' },
  plan: ({ positionals, flags }) => {
    noMoreArguments(positionals, 1);
    const path = pathArgument(positionals[0]);
    if (path === '/') throw new UsageError('refusing to delete /');
    return { path, recursive: flags.has('recursive'), options: versionFlag(flags) };
  },
  async run(zk, { path, recursive, options }) {
    if (recursive) await removeTree(zk, path, options, 'zkcoord rm');
    else await zk.delete(path, options);
  },
});
