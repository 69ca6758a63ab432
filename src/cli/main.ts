#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { dataCommands, runAcl } from './data-commands.js';
import { runCompletion } from './completion.js';
import { runDemo } from './demo.js';
import { demoUsage, parseDemoArgs } from './demo-args.js';
import { runDemoWorker } from './demo-worker.js';
import { runLock } from './run-under-lock.js';
import { runServer } from './server.js';

const usage = `zkcoord — distributed locks and coordination on Apache ZooKeeper

Usage:
  zkcoord demo [--workers N] [--connect ...]
                                            N processes contend for one lock, live; the holder is
                                            killed and the next takes over (see demo --help)
  zkcoord lock <path> --connect host:port,... [options] -- <cmd> [args...]
                                            run a command while holding a lock (see lock --help)
  zkcoord locks [--kind <kind>] <path>      who holds the lock at <path> and who waits, in order
  zkcoord leader [--watch] <path>           who leads the election at <path> (--watch: every change)
  zkcoord server [--ensemble 3|5] [--port N] [--tls]
                                            a local ZooKeeper for development, until Ctrl-C

  zkcoord ls [-R] <path>                    children, sorted (-R: the whole subtree)
  zkcoord tree <path>                       the subtree, drawn
  zkcoord get [--stat] [--format text|json|hex|base64] <path>
  zkcoord set [--version N] <path> <data|->
  zkcoord create [--mode <mode>] [--ttl <duration>] [-p] <path> [data|-]
  zkcoord rm [-R] [--version N] <path>
  zkcoord stat <path>
  zkcoord watch [-R] <path>                 print changes until Ctrl-C
  zkcoord acl get <path>
  zkcoord acl set [--version N] <path> <scheme:id:perms...>
  zkcoord whoami
  zkcoord sync [path]
    These, locks and leader take --connect host:port,...[/chroot] (or $ZKCOORD_CONNECT),
    --session-timeout <dur>, --auth <scheme:auth>, --sasl-user <user> --sasl-password-file <f>,
    --tls, --tls-ca/--tls-cert/--tls-key <file>, --json (commands that print), --debug and
    --help; see zkcoord <command> --help.

  zkcoord completion bash|zsh               a shell completion script (see completion --help)

  zkcoord --version
  zkcoord --help
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(usage);
      return 0;
    case '--version':
    case '-v':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'demo': {
      const options = parseDemoArgs(rest);
      if (options === undefined) {
        process.stdout.write(demoUsage);
        return 0;
      }
      return runDemo(options);
    }
    case 'lock':
      // The status is final once the lock is released and the client closed; a connect left
      // running by an interrupt must not hold the process open until it times out.
      return process.exit(await runLock(rest));
    case 'server':
      return runServer(rest);
    case 'completion':
      return runCompletion(rest);
    case 'demo-worker':
      // Internal: one contender process of `zkcoord demo`.
      return runDemoWorker(rest);
    case 'acl':
      return runAcl(rest, process.env);
    default: {
      const data = dataCommands.get(command);
      if (data === undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
      return data.execute(rest, process.env);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`zkcoord: ${error.message}\n\n${usage}`);
      process.exitCode = 64;
      return;
    }
    process.stderr.write(`zkcoord: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
