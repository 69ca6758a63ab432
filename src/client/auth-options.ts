import { InvalidArgumentError } from './errors.js';

/** Credentials for one authentication scheme, as `addAuth` and the `auth` option take them. */
export interface AuthCredentials {
  /** `digest` (auth `user:password`), or a scheme of a provider configured on the server. */
  readonly scheme: string;
  /** A string is sent as UTF-8. */
  readonly auth: string | Uint8Array;
}

/** SASL authentication run on every connection before anything else. */
export interface SaslOptions {
  readonly mechanism: 'DIGEST-MD5';
  readonly username: string;
  readonly password: string;
  /** The SASL service, the `zookeeper.sasl.client.username` of the Java client. Default `'zookeeper'`. */
  readonly serviceName?: string;
  /** The server name of DIGEST-MD5's digest-uri. Default `'zk-sasl-md5'`, as the server expects. */
  readonly serverName?: string;
}

/** Credentials as they go on the wire. */
export interface Credential {
  readonly scheme: string;
  readonly auth: Uint8Array;
}

export type ResolvedSasl = Required<SaslOptions>;

/** Checks one set of credentials and turns a string into its UTF-8 bytes. */
export function credential(scheme: unknown, auth: unknown): Credential {
  if (typeof scheme !== 'string' || scheme === '') {
    throw new InvalidArgumentError(`auth scheme must be a non-empty string, got ${String(scheme)}`);
  }
  if (typeof auth === 'string') return { scheme, auth: Buffer.from(auth, 'utf8') };
  if (auth instanceof Uint8Array) return { scheme, auth: Uint8Array.from(auth) };
  throw new InvalidArgumentError(`auth for scheme ${scheme} must be a string or bytes`);
}

/** The `auth` and `sasl` options, checked, with defaults. */
export function authOptions(options: {
  readonly auth?: readonly AuthCredentials[];
  readonly sasl?: SaslOptions;
}): { auth: Credential[]; sasl: ResolvedSasl | undefined } {
  const auth = options.auth;
  if (auth !== undefined && !Array.isArray(auth)) {
    throw new InvalidArgumentError('auth must be an array of { scheme, auth }');
  }
  const credentials = (auth ?? []).map((entry: AuthCredentials) =>
    credential(entry.scheme, entry.auth),
  );
  const sasl = options.sasl;
  if (sasl === undefined) return { auth: credentials, sasl: undefined };
  const mechanism: unknown = sasl.mechanism;
  if (mechanism !== 'DIGEST-MD5') {
    throw new InvalidArgumentError(`sasl.mechanism must be 'DIGEST-MD5', got ${String(mechanism)}`);
  }
  for (const key of ['username', 'password', 'serviceName', 'serverName'] as const) {
    const value: unknown = sasl[key];
    if (value !== undefined && typeof value !== 'string') {
      throw new InvalidArgumentError(`sasl.${key} must be a string`);
    }
  }
  if (sasl.username === '') throw new InvalidArgumentError('sasl.username must not be empty');
  return {
    auth: credentials,
    sasl: {
      mechanism,
      username: sasl.username,
      password: sasl.password,
      serviceName: sasl.serviceName ?? 'zookeeper',
      serverName: sasl.serverName ?? 'zk-sasl-md5',
    },
  };
}
