import { ErrorCode, ProtocolError } from '../../protocol/index.js';
import type { JuteReader, RecordCodec, ReplyHeader } from '../../protocol/index.js';
import { ConnectionLossError, SessionExpiredError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { failureFor, RequestQueue } from './request-queue.js';
import type { OutstandingRequest } from './request-queue.js';

/** A request made while no connection could take it, with what it needs to be written later. */
export interface UnsentRequest {
  readonly request: OutstandingRequest;
  readonly body: RecordCodec<unknown> | null;
  readonly value: unknown;
}

/** Writes a request on `transport` and waits for its reply there (see PendingRequests.send). */
export type SendOn = <T>(
  transport: Transport,
  request: OutstandingRequest,
  body: RecordCodec<T> | null,
  value: T,
) => void;

/** What the owner of the requests learns from their replies, before each request settles. */
export interface ReplyPort {
  /** A reply carried a zxid > 0: the newest state of the server this client has seen. */
  onZxid(zxid: bigint): void;
  /** A request written at `sentAt` was answered on `transport` at `answeredAt` (monotonic ms). */
  onAnswered(transport: Transport, sentAt: number, answeredAt: number): void;
}

/**
 * Every pending request of a session, from submit to its reply or failure: held while no
 * connection can take it, then in flight on one transport in the order written, which is the
 * order the server answers in. Matches each reply to its request, fails what was in flight when
 * the transport closes, and enforces the request timeout, with one interval timer that runs only
 * while something is pending.
 */
export class PendingRequests {
  private unsent: UnsentRequest[] = [];
  private readonly inFlight = new RequestQueue();
  /** The transport the requests in flight were written on. */
  private wire: Transport | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly port: ReplyPort,
  ) {}

  /** Writes the request on `transport` when there is one, else holds it until sendUnsent(). */
  submit(entry: UnsentRequest, transport: Transport | undefined): void {
    if (transport !== undefined) this.send(transport, entry.request, entry.body, entry.value);
    else this.unsent.push(entry);
    this.watch();
  }

  /**
   * Writes one request on `transport` and waits for its reply there. A request that cannot be
   * written (too large, not encodable, the transport closed) fails instead.
   */
  send<T>(
    transport: Transport,
    request: OutstandingRequest,
    body: RecordCodec<T> | null,
    value: T,
  ): void {
    try {
      transport.write(request.xid, request.opcode, body, value);
    } catch (error) {
      // A closed transport is connection trouble; anything else (too large, not encodable) is
      // the request's own fault and fails as it is, so that nobody retries it.
      request.fail(
        error instanceof ConnectionLossError ? failureFor(request, error) : asError(error),
      );
      return;
    }
    // Only a transport that took a write becomes the wire: a stray write to a closed one fails
    // alone and disturbs nothing in flight on the live one.
    if (transport !== this.wire) this.moveTo(transport);
    request.sentAt = performance.now();
    this.inFlight.push(request);
  }

  /** Writes the held requests on `transport`, oldest first. */
  sendUnsent(transport: Transport): void {
    const held = this.unsent;
    this.unsent = [];
    for (const { request, body, value } of held) this.send(transport, request, body, value);
  }

  /** Fails every held request (the session was lost, refused or closed). */
  failUnsent(errorFor: (path: string | undefined) => Error): void {
    const held = this.unsent;
    this.unsent = [];
    for (const { request } of held) request.fail(errorFor(request.path));
  }

  /**
   * Settles the oldest request in flight with this reply. Throws a ProtocolError, which closes
   * the transport, when the reply does not answer it or its body does not decode.
   */
  replied(transport: Transport, header: ReplyHeader, reader: JuteReader, receivedAt: number): void {
    const request = transport === this.wire ? this.inFlight.shift() : undefined;
    if (request?.xid !== header.xid) {
      const error = new ProtocolError(
        `reply xid ${header.xid} does not match the oldest outstanding request (${request?.xid ?? 'none'})`,
      );
      request?.fail(failureFor(request, error));
      throw error;
    }
    if (header.zxid > 0n) this.port.onZxid(header.zxid);
    if (header.err === ErrorCode.SESSIONEXPIRED) {
      // The server expired the session before this request reached it: no proof of life, and the
      // end of the session, which the server is about to close the connection over.
      request.complete(header.err, undefined);
      transport.close(new SessionExpiredError());
      return;
    }
    this.port.onAnswered(transport, request.sentAt, receivedAt);
    if (header.err !== 0) {
      request.complete(header.err, undefined);
      return;
    }
    let body: unknown;
    try {
      body = request.response === null ? undefined : request.response.read(reader);
    } catch (error) {
      const cause = error instanceof Error ? error : new ProtocolError(String(error));
      request.fail(failureFor(request, cause));
      throw cause;
    }
    request.complete(0, body);
  }

  /** `transport` is gone: what was in flight on it fails (see failureFor), its outcome unknown. */
  transportClosed(transport: Transport, error: Error): void {
    if (transport !== this.wire) return;
    this.wire = undefined;
    for (const request of this.inFlight.drain()) request.fail(failureFor(request, error));
  }

  /** Stops the request-timeout sweep for good (the session closed). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Requests go on one transport at a time. The session adopts a new one only after the last
   * closed (which failed what was in flight on it), so what is failed here is only a safeguard.
   */
  private moveTo(transport: Transport): void {
    const previous = this.wire;
    if (previous !== undefined) {
      this.transportClosed(previous, new ProtocolError('requests moved to another connection'));
    }
    this.wire = transport;
  }

  /** Makes sure the sweep runs (when there is a timeout at all). */
  private watch(): void {
    if (this.timeoutMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(
      () => {
        this.sweep();
      },
      Math.max(10, Math.min(1000, this.timeoutMs / 4)),
    );
    this.timer.unref();
  }

  /** Fails requests older than the timeout; late replies to them are ignored. */
  private sweep(): void {
    const limit = performance.now() - this.timeoutMs;
    this.unsent = this.unsent.filter(({ request }) => {
      if (request.createdAt > limit || request.timeOut === undefined) return true;
      request.timeOut();
      return false;
    });
    for (const request of this.inFlight.entries()) {
      if (request.createdAt <= limit) request.timeOut?.();
    }
    if (this.unsent.length === 0 && this.inFlight.size === 0) this.stop();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
