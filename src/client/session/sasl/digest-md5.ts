import { createHash, randomBytes } from 'node:crypto';
import { AuthFailedError } from '../../errors.js';
import type { SaslMechanism } from './mechanism.js';

/** The values a DIGEST-MD5 response is computed from (RFC 2831 §2.1.2). */
export interface DigestMd5Input {
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly nonce: string;
  readonly cnonce: string;
  /** nonce-count, 8 hex digits; always `00000001` here, as each exchange uses its nonce once. */
  readonly nc: string;
  readonly qop: 'auth';
  /** `service/host`, e.g. `zookeeper/zk-sasl-md5`. */
  readonly digestUri: string;
  /** True when the server announced charset=utf-8 (see {@link encodeSecret}). */
  readonly utf8: boolean;
}

/**
 * The `response` the client sends and the `rspauth` the server must send back: both prove
 * knowledge of the password, each for its own direction (RFC 2831 §2.1.2.1 and §2.1.3).
 */
export function digestMd5Values(input: DigestMd5Input): { response: string; rspauth: string } {
  const { username, realm, password, nonce, cnonce, nc, qop, digestUri, utf8 } = input;
  const secret = md5(
    Buffer.concat([
      encodeSecret(username, utf8),
      Buffer.from(':'),
      encodeSecret(realm, utf8),
      Buffer.from(':'),
      encodeSecret(password, utf8),
    ]),
  );
  // A1 starts with the raw 16-byte hash, not its hex form.
  const a1 = Buffer.concat([secret, Buffer.from(`:${nonce}:${cnonce}`, 'utf8')]);
  const ha1 = md5(a1).toString('hex');
  const kd = (a2: string): string =>
    md5(
      Buffer.from(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${md5(Buffer.from(a2)).toString('hex')}`),
    ).toString('hex');
  return { response: kd(`AUTHENTICATE:${digestUri}`), rspauth: kd(`:${digestUri}`) };
}

/**
 * RFC 2831 §2.1.2.1: with charset=utf-8, a string that fits ISO 8859-1 is still hashed in
 * 8859-1, so both encodings of a Latin-1 password give the same digest; anything else is UTF-8.
 * Without it, the string must fit 8859-1.
 */
export function encodeSecret(text: string, utf8: boolean): Buffer {
  // UTF-16 code units suffice: any unit above 0xff (surrogates included) rules out 8859-1.
  const latin1 = !/[\u0100-\uffff]/.test(text);
  if (latin1) return Buffer.from(text, 'latin1');
  if (utf8) return Buffer.from(text, 'utf8');
  throw failure('the server did not announce charset=utf-8 and a credential is not ISO 8859-1');
}

export interface DigestMd5Options {
  readonly username: string;
  readonly password: string;
  /** The service in digest-uri; ZooKeeper's is `zookeeper`. */
  readonly serviceName: string;
  /** The host in digest-uri, and the realm if the server offers none; ZooKeeper's is `zk-sasl-md5`. */
  readonly serverName: string;
  /** Fixed client nonce, for tests; default 24 random bytes in base64. */
  readonly cnonce?: string;
}

type Step = 'start' | 'challenge' | 'rspauth' | 'done';

/**
 * The client side of DIGEST-MD5 (RFC 2831) with qop=auth, no security layer: an empty first
 * token, the digest-response to the server's challenge, then a check of the server's rspauth.
 */
export class DigestMd5Client implements SaslMechanism {
  private step: Step = 'start';
  private expectedRspauth = '';

  constructor(private readonly options: DigestMd5Options) {}

  get complete(): boolean {
    return this.step === 'done';
  }

  initialResponse(): Uint8Array {
    this.expect('start');
    this.step = 'challenge';
    return new Uint8Array(0);
  }

  evaluateChallenge(token: Uint8Array): Uint8Array | undefined {
    if (this.step === 'challenge') return this.answerChallenge(token);
    this.expect('rspauth');
    const rspauth = parseDirectives(Buffer.from(token).toString('utf8')).get('rspauth');
    if (rspauth?.length !== 1 || rspauth[0]?.toLowerCase() !== this.expectedRspauth) {
      throw failure("the server's rspauth does not prove it knows the password");
    }
    this.step = 'done';
    return undefined;
  }

  private answerChallenge(token: Uint8Array): Uint8Array {
    const directives = parseDirectives(Buffer.from(token).toString('utf8'));
    const nonce = single(directives, 'nonce');
    if (nonce === undefined) throw failure('the challenge has no single nonce');
    if (single(directives, 'algorithm') !== 'md5-sess') {
      throw failure('the challenge does not ask for algorithm=md5-sess');
    }
    const qops = (single(directives, 'qop') ?? 'auth').split(',').map((q) => q.trim());
    if (!qops.includes('auth')) throw failure(`the server offers no qop=auth (${qops.join(',')})`);
    const utf8 = single(directives, 'charset')?.toLowerCase() === 'utf-8';
    const realm = directives.get('realm')?.[0] ?? this.options.serverName;
    const cnonce = this.options.cnonce ?? randomBytes(24).toString('base64');
    const digestUri = `${this.options.serviceName}/${this.options.serverName}`;
    const input: DigestMd5Input = {
      username: this.options.username,
      realm,
      password: this.options.password,
      nonce,
      cnonce,
      nc: '00000001',
      qop: 'auth',
      digestUri,
      utf8,
    };
    const { response, rspauth } = digestMd5Values(input);
    this.expectedRspauth = rspauth;
    this.step = 'rspauth';
    const fields = [
      ...(utf8 ? ['charset=utf-8'] : []),
      `username=${quote(input.username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `nc=${input.nc}`,
      `cnonce=${quote(cnonce)}`,
      `digest-uri=${quote(digestUri)}`,
      `response=${response}`,
      'qop=auth',
    ];
    return Buffer.from(fields.join(','), utf8 ? 'utf8' : 'latin1');
  }

  private expect(step: Step): void {
    if (this.step !== step) throw failure(`unexpected token in step ${this.step}`);
  }
}

/**
 * Parses `key=value, key="quoted, value", ...` (RFC 2831 §7.1: tokens or quoted strings with
 * backslash escapes; empty list elements allowed). Keys are lower-cased; a key may repeat (realm).
 */
export function parseDirectives(text: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /[ \t\r\n]/.test(text.charAt(i))) i++;
  };
  while (i < text.length) {
    skipSpace();
    if (text.charAt(i) === ',') {
      i++;
      continue;
    }
    if (i >= text.length) break;
    const keyStart = i;
    while (i < text.length && !/[=, \t]/.test(text.charAt(i))) i++;
    const key = text.slice(keyStart, i).toLowerCase();
    skipSpace();
    if (key === '' || text.charAt(i) !== '=') throw failure(`malformed directive at ${keyStart}`);
    i++;
    skipSpace();
    let value = '';
    if (text.charAt(i) === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw failure(`unterminated quoted value for ${key}`);
        const ch = text.charAt(i++);
        if (ch === '"') break;
        value += ch === '\\' && i < text.length ? text.charAt(i++) : ch;
      }
    } else {
      const valueStart = i;
      while (i < text.length && text.charAt(i) !== ',') i++;
      value = text.slice(valueStart, i).trim();
    }
    directives.set(key, [...(directives.get(key) ?? []), value]);
    skipSpace();
    if (i < text.length && text.charAt(i) !== ',') throw failure(`junk after the value of ${key}`);
  }
  return directives;
}

function single(directives: Map<string, string[]>, key: string): string | undefined {
  const values = directives.get(key);
  return values?.length === 1 ? values[0] : undefined;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

function failure(reason: string): AuthFailedError {
  return new AuthFailedError(undefined, `AUTHFAILED: DIGEST-MD5: ${reason}`);
}
