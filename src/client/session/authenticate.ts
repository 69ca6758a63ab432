import { GetSASLRequest, OpCode, SetSASLResponse } from '../../protocol/index.js';
import { credential } from '../auth-options.js';
import type { Credential, ResolvedSasl } from '../auth-options.js';
import type { Transport } from '../transport/transport.js';
import type { SendOn } from './pending-requests.js';
import {
  AuthFailedError,
  ConnectionLossError,
  InvalidArgumentError,
  RequestTimeoutError,
  SessionExpiredError,
  ZooKeeperError,
} from '../errors.js';
import { Request } from './request.js';
import { DigestMd5Client } from './sasl/digest-md5.js';

/** What the authenticator needs of its session. */
export interface AuthPort {
  /** The connection requests may go on right now (connected and open), if any. */
  usableConnection(): Transport | undefined;
  nextXid(): number;
  readonly send: SendOn;
  /** Why a new call is refused now (closed, lost, auth failed), if it is. */
  refusal(): Error | undefined;
  /** The server refused our credentials: the session stops for good, without reconnecting. */
  failed(error: Error): void;
}

export interface AuthenticatorOptions {
  readonly auth: readonly Credential[];
  readonly sasl: ResolvedSasl | undefined;
  readonly requestTimeoutMs: number;
  readonly maxRequestFrame: number;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

interface Remembered extends Credential {
  /** addAuth calls waiting for the server to accept these credentials. */
  readonly waiters: Set<Waiter>;
}

/** RequestHeader, AuthPacket type and the two length prefixes. */
const AUTH_PACKET_OVERHEAD = 8 + 4 + 4 + 4;

/**
 * Authentication on every connection of a session, in the Java client's order: right after the
 * handshake, the SASL exchange if configured (nothing else is sent until it completes), then one
 * AuthPacket per remembered credential, before SetWatches and queued requests. A refusal (AUTHFAILED
 * from either) is final: the session fails, as the Java client's AUTH_FAILED, and never reconnects.
 */
export class Authenticator {
  private readonly credentials: Remembered[];
  /** Credentials sent on `inFlightOn` and not yet answered, oldest first: answers come in order. */
  private inFlight: Remembered[] = [];
  private inFlightOn: Transport | undefined;
  /** connect() waits for the first connection's answers, so bad credentials fail it. */
  private firstWait: { connection: Transport; done: (ok: boolean) => void } | undefined;
  /** Why authentication failed, once it did. */
  failure: AuthFailedError | undefined;

  constructor(
    private readonly options: AuthenticatorOptions,
    private readonly port: AuthPort,
  ) {
    this.credentials = options.auth.map((c) => ({ ...c, waiters: new Set() }));
  }

  /**
   * Sends credentials now when connected, else on the next connection; they are remembered and
   * sent again on every later connection. Resolves once the server accepts them.
   */
  async add(scheme: unknown, auth: unknown): Promise<void> {
    const fresh = credential(scheme, auth);
    const refused = this.port.refusal();
    if (refused !== undefined) throw refused;
    const entry = this.remember(fresh);
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      entry.waiters.add(waiter);
      if (this.options.requestTimeoutMs > 0) {
        timer = setTimeout(() => {
          entry.waiters.delete(waiter);
          reject(new RequestTimeoutError(undefined, 'REQUESTTIMEOUT: addAuth got no answer'));
        }, this.options.requestTimeoutMs).unref();
      }
      const connection = this.port.usableConnection();
      if (connection !== undefined) this.send(connection, entry);
    });
  }

  private remember(fresh: Credential): Remembered {
    if (
      fresh.auth.length + Buffer.byteLength(fresh.scheme) + AUTH_PACKET_OVERHEAD >
      this.options.maxRequestFrame
    ) {
      throw new InvalidArgumentError(
        `credentials for ${fresh.scheme} exceed the request size limit`,
      );
    }
    const known = this.credentials.find(
      (c) => c.scheme === fresh.scheme && Buffer.from(c.auth).equals(fresh.auth),
    );
    if (known !== undefined) return known;
    const entry: Remembered = { ...fresh, waiters: new Set() };
    this.credentials.push(entry);
    return entry;
  }

  /**
   * Authenticates a fresh connection. Resolves true when requests may follow, false when the
   * connection dropped meanwhile or authentication failed (then `failed` was called). With
   * `awaitAnswers`, also waits for the server's answers to the auth packets.
   */
  async authenticate(connection: Transport, awaitAnswers: boolean): Promise<boolean> {
    const sasl = this.options.sasl;
    if (sasl !== undefined && !(await this.runSasl(connection, sasl))) return false;
    if (!connection.isOpen || this.failure !== undefined) return false;
    this.inFlight = [];
    this.inFlightOn = connection;
    for (const entry of this.credentials) this.send(connection, entry);
    if (!awaitAnswers || this.inFlight.length === 0) return true;
    const accepted = await new Promise<boolean>((resolve) => {
      this.firstWait = { connection, done: resolve };
    });
    // The last answer and the close can come in one read: then the reconnect already under way
    // adopts the next connection, and nothing may go on this one.
    return accepted && stillOpen(connection);
  }

  private send(connection: Transport, entry: Remembered): void {
    if (connection !== this.inFlightOn) {
      this.inFlight = [];
      this.inFlightOn = connection;
    }
    this.inFlight.push(entry);
    connection.sendAuth({ type: 0, scheme: entry.scheme, auth: entry.auth });
  }

  /** The server's answer to an auth packet (xid -4); a property, to be passed as a handler. */
  readonly onReply = (connection: Transport, err: number): void => {
    if (connection !== this.inFlightOn) return;
    const entry = this.inFlight.shift();
    if (err !== 0) {
      const scheme = entry === undefined ? 'the' : `the ${entry.scheme}`;
      this.fail(
        new AuthFailedError(undefined, `AUTHFAILED: the server refused ${scheme} credentials`),
      );
      return;
    }
    if (entry !== undefined) {
      for (const waiter of entry.waiters) waiter.resolve();
      entry.waiters.clear();
    }
    if (this.inFlight.length === 0 && this.firstWait?.connection === connection) {
      this.firstWait.done(true);
      this.firstWait = undefined;
    }
  };

  /** The connection is gone: answers still due on it will not come (credentials go again on the next). */
  connectionClosed(connection: Transport): void {
    if (connection === this.inFlightOn) {
      this.inFlight = [];
      this.inFlightOn = undefined;
    }
    if (this.firstWait?.connection === connection) {
      this.firstWait.done(false);
      this.firstWait = undefined;
    }
  }

  /** Once authentication failed, the error every later call rejects with. */
  refusal(path?: string): AuthFailedError | undefined {
    const failure = this.failure;
    return failure && new AuthFailedError(path, failure.message, { cause: failure });
  }

  /** Rejects every addAuth still waiting (close(), or a lost session that is not renewed). */
  rejectWaiting(error: Error): void {
    for (const entry of this.credentials) {
      for (const waiter of entry.waiters) waiter.reject(error);
      entry.waiters.clear();
    }
  }

  private fail(error: AuthFailedError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.firstWait?.done(false);
    this.firstWait = undefined;
    this.rejectWaiting(error);
    this.port.failed(error);
  }

  /**
   * The SASL exchange (GetSASLRequest / SetSASLResponse, ordinary xids). False when it failed:
   * a refusal fails the session; connection trouble closes the connection, so the session
   * reconnects and tries again.
   */
  private async runSasl(connection: Transport, sasl: ResolvedSasl): Promise<boolean> {
    const mechanism = new DigestMd5Client(sasl);
    try {
      let token: Uint8Array | undefined = mechanism.initialResponse();
      while (token !== undefined) {
        const challenge = await this.exchange(connection, token, sasl);
        token = mechanism.evaluateChallenge(challenge);
      }
      if (!mechanism.complete) throw new AuthFailedError(undefined, 'AUTHFAILED: SASL incomplete');
      return true;
    } catch (error) {
      if (error instanceof AuthFailedError) this.fail(error);
      else
        connection.close(
          new ConnectionLossError(undefined, 'CONNECTIONLOSS: the SASL exchange was interrupted', {
            cause: error,
          }),
        );
      return false;
    }
  }

  private exchange(
    connection: Transport,
    token: Uint8Array,
    sasl: ResolvedSasl,
  ): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const request = new Request(
        this.port.nextXid(),
        OpCode.sasl,
        undefined,
        SetSASLResponse,
        (reply) => {
          resolve((reply as SetSASLResponse).token ?? new Uint8Array(0));
        },
        (error) => {
          reject(refusalOf(error, sasl) ?? error);
        },
        undefined,
      );
      this.port.send(connection, request, GetSASLRequest, { token });
    });
  }
}

/**
 * A server answer other than connection trouble (AUTHFAILED, or SESSIONCLOSEDREQUIRESASLAUTH) to
 * a SASL token is a refusal of our credentials.
 */
function refusalOf(error: Error, sasl: ResolvedSasl): AuthFailedError | undefined {
  if (
    !(error instanceof ZooKeeperError) ||
    error instanceof ConnectionLossError ||
    error instanceof SessionExpiredError ||
    error instanceof RequestTimeoutError
  ) {
    return undefined;
  }
  return new AuthFailedError(
    undefined,
    `AUTHFAILED: the server refused the SASL ${sasl.mechanism} credentials of ${sasl.username} (${error.code})`,
    { cause: error },
  );
}

/** Read through a call: after an await, TypeScript would still assume what it saw before it. */
function stillOpen(transport: Transport): boolean {
  return transport.isOpen;
}
