import type { RecordCodec } from '../../protocol/index.js';
import { errorFromCode, RequestTimeoutError } from '../errors.js';
import { traceRequest } from './diagnostics.js';
import type { OutstandingRequest } from './request-queue.js';

/** A request's hook run synchronously with its reply, before the caller's promise settles. */
export type ReplyHook = (err: number) => void;

/** A request of the session: settles its caller's promise once, from a reply, a failure or a timeout. */
export class Request implements OutstandingRequest {
  sentAt = 0;
  private settled = false;

  constructor(
    readonly xid: number,
    readonly opcode: number,
    readonly path: string | undefined,
    readonly response: RecordCodec<unknown> | null,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: Error) => void,
    private readonly onReply: ReplyHook | undefined,
    readonly createdAt = performance.now(),
  ) {}

  complete(err: number, body: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.onReply?.(err);
    if (err === 0) this.resolve(body);
    else this.reject(errorFromCode(err, this.path));
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  timeOut(): void {
    this.fail(
      new RequestTimeoutError(this.path, 'REQUESTTIMEOUT: no answer within the request timeout'),
    );
  }
}

/** A caller's request and the promise it settles, traced on `zkcoord:request` when someone listens. */
export function tracedRequest<R>(
  xid: number,
  opcode: number,
  path: string | undefined,
  sessionId: bigint,
  response: RecordCodec<R> | null,
  onReply: ReplyHook | undefined,
): [Request, Promise<R>] {
  let request!: Request;
  const promise = new Promise<R>((resolve, reject) => {
    const [settle, fail] = traceRequest(
      xid,
      opcode,
      path,
      sessionId,
      resolve as (value: unknown) => void,
      reject,
    );
    request = new Request(xid, opcode, path, response, settle, fail, onReply);
  });
  return [request, promise];
}
