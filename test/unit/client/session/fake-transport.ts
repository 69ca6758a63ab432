import { JuteReader, JuteWriter, OpCode, responseRecords } from '../../../../src/protocol/index.js';
import type {
  AuthPacket,
  ConnectRequest,
  ConnectResponse,
  RecordCodec,
  RequestOpCode,
} from '../../../../src/protocol/index.js';
import type { HostAddress } from '../../../../src/client/connect-string.js';
import { ConnectionLossError } from '../../../../src/client/errors.js';
import type {
  Dial,
  DialTarget,
  Transport,
  TransportEvents,
} from '../../../../src/client/transport/transport.js';

/** A request frame the session wrote: what a server would have received. */
export interface Written {
  readonly xid: number;
  readonly opcode: number;
  readonly value: unknown;
}

/**
 * A transport with no socket: it records what the session writes and lets the test answer, drop
 * or stay silent, in the order a server would. Replies are encoded with the protocol's record for
 * the opcode and decoded by the session, as a real reply is.
 */
export class FakeTransport implements Transport {
  readonly written: Written[] = [];
  readonly auths: AuthPacket[] = [];
  /** Writes not answered yet, oldest first. */
  private readonly unanswered: Written[] = [];
  isOpen = true;
  promptReconnect = false;
  closedWith: Error | undefined;
  closedAt: number | undefined;
  readonly handshakeSentAtWall: number;

  constructor(
    readonly server: HostAddress,
    readonly connectRequest: ConnectRequest,
    readonly handshakeSentAt: number,
    private readonly events: TransportEvents,
  ) {
    this.handshakeSentAtWall = Date.now() - (performance.now() - handshakeSentAt);
  }

  write<T>(xid: number, opcode: number, _body: RecordCodec<T> | null, value: T): void {
    if (!this.isOpen) {
      throw new ConnectionLossError(undefined, 'CONNECTIONLOSS: the connection is closed');
    }
    const written = { xid, opcode, value };
    this.written.push(written);
    this.unanswered.push(written);
  }

  sendAuth(packet: AuthPacket): void {
    if (this.isOpen) this.auths.push(packet);
  }

  flush(): void {
    // Nothing is batched.
  }

  close(error: Error): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.closedWith = error;
    this.closedAt = performance.now();
    this.events.onClose(this, error);
  }

  /** The opcodes written so far, in order. */
  get opcodes(): number[] {
    return this.written.map((w) => w.opcode);
  }

  /** The oldest unanswered write, if any. */
  peek(): Written | undefined {
    return this.unanswered[0];
  }

  /**
   * Answers the oldest unanswered write: `err` 0 with `body` (the opcode's response record), or
   * an error code. Returns what it answered.
   */
  reply(options: { err?: number; body?: unknown; zxid?: bigint } = {}): Written {
    const written = this.unanswered.shift();
    if (written === undefined) throw new Error('nothing to answer');
    const err = options.err ?? 0;
    const record = responseRecords[written.opcode as RequestOpCode] as RecordCodec<unknown> | null;
    const writer = new JuteWriter(256);
    if (err === 0 && record !== null) record.write(writer, options.body);
    const reader = new JuteReader(writer.finish());
    const header = { xid: written.xid, zxid: options.zxid ?? 0n, err };
    this.events.onReply(this, header, reader, performance.now());
    return written;
  }

  /** Answers every unanswered write with err 0 (bodies from `bodyFor`) and returns them. */
  replyAll(bodyFor: (written: Written) => unknown = () => undefined): Written[] {
    const answered: Written[] = [];
    while (this.unanswered.length > 0) {
      const next = this.unanswered[0];
      if (next === undefined) break;
      answered.push(this.reply({ body: bodyFor(next) }));
    }
    return answered;
  }

  /** A reply with an xid no request has: the session must drop the connection. */
  replyOutOfOrder(): void {
    const reader = new JuteReader(new Uint8Array(0));
    try {
      this.events.onReply(this, { xid: 999_999, zxid: 0n, err: 0 }, reader, performance.now());
    } catch (error) {
      // What Connection does with a handler's throw: the connection ends with it.
      this.close(error as Error);
    }
  }

  /** A ping sent at `sentAt` was answered now. */
  pingAnswered(sentAt = performance.now()): void {
    this.events.onAnswered(this, sentAt, performance.now());
  }

  notify(type: number, path: string, zxid = 0n): void {
    this.events.onNotification({ type, state: 3, path }, zxid);
  }

  authReply(err: number): void {
    this.events.onAuthReply(this, err);
  }

  /** The server went away. */
  drop(): void {
    this.close(
      new ConnectionLossError(undefined, 'CONNECTIONLOSS: the server closed the connection'),
    );
  }
}

/** One connect attempt, waiting for the test to accept or refuse it. */
export interface Attempt {
  readonly target: DialTarget;
  readonly request: ConnectRequest;
  readonly at: number;
  accept(response?: Partial<ConnectResponse>): FakeTransport;
  refuse(error?: Error): void;
}

/** Hands the session fake transports: every dial waits until the test answers it. */
export class FakeDialer {
  readonly attempts: Attempt[] = [];
  private readonly waiting: Attempt[] = [];
  /** Session id a server hands out next for a request without one. */
  private nextSessionId = 0x1000n;

  readonly dial: Dial = (target, request, events) =>
    new Promise((resolve, reject) => {
      const at = performance.now();
      const attempt: Attempt = {
        target,
        request,
        at,
        accept: (response = {}) => {
          this.waiting.splice(this.waiting.indexOf(attempt), 1);
          const server = { host: target.host, port: target.port };
          const transport = new FakeTransport(server, request, at, events);
          const sessionId =
            request.sessionId !== 0n ? request.sessionId : (this.nextSessionId += 1n);
          const full: ConnectResponse = {
            protocolVersion: 0,
            timeOut: request.timeOut,
            sessionId,
            passwd: new Uint8Array(16).fill(Number(sessionId & 0xffn)),
            readOnly: false,
            ...response,
          };
          if (full.timeOut > 0) events.onAnswered(transport, at, performance.now());
          resolve({ transport, response: full });
          return transport;
        },
        refuse: (error = new ConnectionLossError(undefined, 'CONNECTIONLOSS: refused')) => {
          this.waiting.splice(this.waiting.indexOf(attempt), 1);
          reject(error);
        },
      };
      target.signal?.addEventListener('abort', () => {
        if (this.waiting.includes(attempt)) attempt.refuse(new Error('aborted'));
      });
      this.attempts.push(attempt);
      this.waiting.push(attempt);
    });

  /** The attempt waiting for an answer; throws if none is. */
  get pending(): Attempt {
    const attempt = this.waiting[0];
    if (attempt === undefined) throw new Error('no connect attempt is waiting');
    return attempt;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }
}

export { OpCode };
