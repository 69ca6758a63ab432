import type { Command } from './define-command.js';
import { aclGet, aclSet, sync, whoami } from './data-admin.js';
import { get, ls, stat, tree } from './data-read.js';
import { create, rm, set } from './data-write.js';
import { Exit } from './exit-codes.js';
import { locks } from './list-locks.js';
import { leader } from './show-leader.js';
import { watch } from './watch.js';

/** The data commands by the name typed after `zkcoord`; `acl` has subcommands of its own. */
export const dataCommands: ReadonlyMap<string, Command> = new Map(
  [ls, tree, get, set, create, rm, stat, watch, whoami, sync, locks, leader].map((command) => [
    command.name,
    command,
  ]),
);

export const aclUsage = `Usage: zkcoord ${aclGet.synopsis}
       zkcoord ${aclSet.synopsis}
See zkcoord acl get --help and zkcoord acl set --help.
`;

/** `zkcoord acl get|set …`. */
export async function runAcl(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'get') return aclGet.execute(rest, env);
  if (sub === 'set') return aclSet.execute(rest, env);
  if (sub === undefined || sub === '--help' || sub === '-h') {
    (sub === undefined ? process.stderr : process.stdout).write(aclUsage);
    return sub === undefined ? Exit.usage : Exit.ok;
  }
  process.stderr.write(`zkcoord acl: unknown subcommand ${JSON.stringify(sub)}\n${aclUsage}`);
  return Exit.usage;
}
