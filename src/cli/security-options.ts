import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { AuthCredentials, SaslOptions, ZooKeeperOptions } from '../index.js';
import { UsageError } from './args.js';

/**
 * The authentication and TLS options of every command that connects: what they mean is in
 * docs/cli.md. A password is never taken from the command line itself (it would show in `ps`):
 * SASL's comes from a file or the environment.
 */

export const SECURITY_VALUED = [
  'auth',
  'sasl-user',
  'sasl-password-file',
  'tls-ca',
  'tls-cert',
  'tls-key',
] as const;
export const SECURITY_BOOLEAN = ['tls'] as const;
export const SECURITY_REPEATABLE = ['auth'] as const;

const HELP: readonly (readonly [string, string])[] = [
  ['--auth <scheme:auth>', 'credentials sent on every connection, e.g. digest:user:password'],
  ['', '(repeatable)'],
  ['--sasl-user <user>', 'SASL DIGEST-MD5 as <user>, the password from the first line of'],
  ['--sasl-password-file <f>', 'this file, else from $ZKCOORD_SASL_PASSWORD'],
  ['--tls', "connect with TLS (to the servers' secureClientPort), system CAs"],
  ['--tls-ca <file>', 'trust this CA (PEM) instead; implies --tls'],
  ['--tls-cert <file>', 'client certificate (PEM) for mutual TLS, with --tls-key <file>'],
];

/** The help lines of these options, their descriptions starting at `column`. */
export function securityHelp(column: number): string {
  return HELP.map(([flag, text]) => `  ${flag.padEnd(column - 3)} ${text}\n`).join('');
}

export type SecurityOptions = Pick<ZooKeeperOptions, 'auth' | 'sasl' | 'tls'>;

/** The connect options the flags ask for (none when no flag is given); a UsageError otherwise. */
export function securityOptions(
  flags: ReadonlyMap<string, string>,
  lists: ReadonlyMap<string, readonly string[]>,
  env: NodeJS.ProcessEnv,
): SecurityOptions {
  const auth = (lists.get('auth') ?? []).map(authCredentials);
  const sasl = saslOptions(flags, env);
  const tls = tlsOptions(flags);
  return {
    ...(auth.length === 0 ? {} : { auth }),
    ...(sasl === undefined ? {} : { sasl }),
    ...(tls === undefined ? {} : { tls }),
  };
}

function authCredentials(text: string): AuthCredentials {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw new UsageError(
      `--auth takes scheme:auth (e.g. digest:user:password), got ${quoteScheme(text)}`,
    );
  }
  return { scheme: text.slice(0, colon), auth: text.slice(colon + 1) };
}

/** What a malformed --auth value is shown as: never its secret part. */
function quoteScheme(text: string): string {
  const colon = text.indexOf(':');
  return colon === -1 ? 'a value without a scheme' : JSON.stringify(`${text.slice(0, colon)}:…`);
}

function saslOptions(
  flags: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv,
): SaslOptions | undefined {
  const username = flags.get('sasl-user');
  const passwordFile = flags.get('sasl-password-file');
  if (username === undefined) {
    if (passwordFile !== undefined) throw new UsageError('--sasl-password-file needs --sasl-user');
    return undefined;
  }
  let password: string;
  if (passwordFile !== undefined) {
    // The first line: a file written by `echo` ends in a newline that is not part of the password.
    password = readText('--sasl-password-file', passwordFile).split(/\r?\n/)[0] ?? '';
  } else if (env.ZKCOORD_SASL_PASSWORD !== undefined) {
    password = env.ZKCOORD_SASL_PASSWORD;
  } else {
    throw new UsageError('--sasl-user needs --sasl-password-file <file> or $ZKCOORD_SASL_PASSWORD');
  }
  return { mechanism: 'DIGEST-MD5', username, password };
}

function tlsOptions(flags: ReadonlyMap<string, string>): ZooKeeperOptions['tls'] | undefined {
  const caFile = flags.get('tls-ca');
  const certFile = flags.get('tls-cert');
  const keyFile = flags.get('tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  if (!flags.has('tls') && caFile === undefined && certFile === undefined) return undefined;
  const tls = {
    ...(caFile === undefined ? {} : { ca: readPem('--tls-ca', caFile) }),
    ...(certFile === undefined ? {} : { cert: readPem('--tls-cert', certFile) }),
    ...(keyFile === undefined ? {} : { key: readPem('--tls-key', keyFile) }),
  };
  try {
    // Bad PEM or a key that does not match the certificate, told now rather than as a failure to
    // connect after the whole connect timeout.
    createSecureContext(tls);
  } catch (error) {
    throw new UsageError(`TLS files: ${error instanceof Error ? error.message : String(error)}`);
  }
  return tls;
}

function readPem(flag: string, file: string): Buffer {
  const pem = readOrUsage(flag, file);
  if (!pem.includes('-----BEGIN ')) throw new UsageError(`${flag} ${file} is not a PEM file`);
  return pem;
}

function readText(flag: string, file: string): string {
  return readOrUsage(flag, file).toString('utf8');
}

/** The file's bytes, or a UsageError naming the flag. */
function readOrUsage(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`${flag}: cannot read ${file} (${reason})`);
  }
}
