import type { RecordCodec } from '../../protocol/index.js';
import type { Connection } from '../transport/connection.js';
import { Request } from './request.js';

/** A request made while no connection could take it, with what it needs to be sent later. */
export interface UnsentRequest {
  readonly request: Request;
  readonly body: RecordCodec<unknown> | null;
  readonly value: unknown;
}

/**
 * Holds the requests waiting for a connection and enforces the request timeout on them and on
 * those on the wire, with one interval timer that runs only while something is pending.
 */
export class RequestTimeouts {
  private unsent: UnsentRequest[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly currentConnection: () => Connection | undefined,
  ) {}

  /** Sends the request on `connection` when there is one, else holds it until takeUnsent(). */
  dispatch(entry: UnsentRequest, connection: Connection | undefined): void {
    if (connection !== undefined) connection.sendOrFail(entry.request, entry.body, entry.value);
    else this.unsent.push(entry);
    this.watch();
  }

  /** Removes and returns the waiting requests, oldest first. */
  takeUnsent(): UnsentRequest[] {
    const taken = this.unsent;
    this.unsent = [];
    return taken;
  }

  /** Makes sure the sweep runs (when there is a timeout at all). */
  watch(): void {
    if (this.timeoutMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(
      () => {
        this.sweep();
      },
      Math.max(10, Math.min(1000, this.timeoutMs / 4)),
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Fails requests older than the timeout; late replies to them are ignored. */
  private sweep(): void {
    const limit = performance.now() - this.timeoutMs;
    this.unsent = this.unsent.filter((entry) => {
      if (entry.request.createdAt > limit) return true;
      entry.request.timeOut();
      return false;
    });
    let outstanding = false;
    for (const request of this.currentConnection()?.outstandingRequests() ?? []) {
      outstanding = true;
      if (request.createdAt <= limit && request instanceof Request) request.timeOut();
    }
    if (this.unsent.length === 0 && !outstanding) this.stop();
  }
}
