import { aclText, parseAcl, permsText } from './acl-text.js';
import { UsageError } from './args.js';
import { defineCommand, noMoreArguments, pathArgument, versionFlag } from './define-command.js';
import { statJson } from './format.js';

/** `acl get`, `acl set`, `whoami`, `sync`: about access and the session rather than data. */

export const aclGet = defineCommand({
  name: 'acl get',
  synopsis: 'acl get <path>',
  help: `Prints the ACL of <path>, one scheme:id:perms entry per line (perms: letters of cdrwa).

Output with --json: {"path","acl":[{"scheme","id","perms":"cdrwa"}],"stat"}; stat.aversion is
what acl set --version compares.`,
  json: true,
  plan: ({ positionals }) => {
    noMoreArguments(positionals, 1);
    return { path: pathArgument(positionals[0]) };
  },
  async run(zk, { path }, io) {
    const { acl, stat } = await zk.getACL(path);
    io.output(
      {
        path,
        acl: acl.map((entry) => ({ ...entry.id, perms: permsText(entry.perms) })),
        stat: statJson(stat),
      },
      acl.map(aclText).join('\n'),
    );
  },
});

export const aclSet = defineCommand({
  name: 'acl set',
  synopsis: 'acl set [--version N] <path> <acl...>',
  help: `Replaces the ACL of <path> with the entries given, one per argument, each scheme:id:perms
with perms letters of c(reate) d(elete) r(ead) w(rite) a(dmin):
  world:anyone:cdrwa   digest:bob:<base64 sha1 of bob:password>:r   ip:10.0.0.0/8:r
  auth::cdrwa          x509:CN=app,O=example:cdrwa

Options:
  --version <N>            only if the ACL's version (Stat.aversion) is N (else exit 65)
Output: nothing.`,
  valued: ['version'],
  plan: ({ positionals, flags }) => {
    const path = pathArgument(positionals[0]);
    const entries = positionals.slice(1);
    if (entries.length === 0) throw new UsageError('missing the ACL entries (scheme:id:perms)');
    return { path, acl: entries.map(parseAcl), options: versionFlag(flags) };
  },
  async run(zk, { path, acl, options }) {
    await zk.setACL(path, acl, options);
  },
});

export const whoami = defineCommand({
  name: 'whoami',
  synopsis: 'whoami',
  help: `Prints the identities the server holds for this session (ZooKeeper 3.7+), one scheme:id per
line: ip:<address> for the connection, plus those from authentication.

Output with --json: {"identities":[{"scheme","id"}]}.`,
  json: true,
  plan: ({ positionals }) => {
    noMoreArguments(positionals, 0);
  },
  async run(zk, _plan, io) {
    const identities = await zk.whoAmI();
    io.output(
      { identities: identities.map(({ scheme, id }) => ({ scheme, id })) },
      identities.map(({ scheme, id }) => `${scheme}:${id}`).join('\n'),
    );
  },
});

export const sync = defineCommand({
  name: 'sync',
  synopsis: 'sync [path]',
  help: `Waits until the server zkcoord connects to has applied every write the leader had committed
when the request arrived ([path] defaults to /). Output: nothing.`,
  plan: ({ positionals }) => {
    noMoreArguments(positionals, 1);
    return { path: pathArgument(positionals[0] ?? '/') };
  },
  async run(zk, { path }) {
    await zk.sync(path);
  },
});
