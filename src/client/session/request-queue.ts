import { ProtocolError } from '../../protocol/index.js';
import type { RecordCodec } from '../../protocol/index.js';
import { ConnectionLossError } from '../errors.js';

/** A request on the wire, waiting for the reply with its xid. */
export interface OutstandingRequest {
  readonly xid: number;
  readonly opcode: number;
  /** The caller's path (chroot stripped), for error messages; undefined for path-less requests. */
  readonly path: string | undefined;
  /** How to read the reply body when err is 0; null when the reply has none. */
  readonly response: RecordCodec<unknown> | null;
  /** Monotonic ms when the caller made the request. */
  readonly createdAt: number;
  /** Monotonic ms when the request was handed to the socket. */
  sentAt: number;
  /** Called synchronously, in wire order, with the reply's error code and decoded body. */
  complete(err: number, body: unknown): void;
  fail(error: Error): void;
  /**
   * Fails it with RequestTimeoutError, its reply to be ignored. Absent for a request the request
   * timeout does not apply to (the syncs that keep the leader's confirmation going).
   */
  timeOut?(): void;
}

/**
 * The FIFO of outstanding requests. An array with a moving head, compacted now and then, so that
 * taking the oldest is O(1) even with tens of thousands in flight.
 */
export class RequestQueue {
  private items: (OutstandingRequest | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(request: OutstandingRequest): void {
    this.items.push(request);
  }

  shift(): OutstandingRequest | undefined {
    if (this.head >= this.items.length) return undefined;
    const request = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return request;
  }

  *entries(): Generator<OutstandingRequest> {
    for (let i = this.head; i < this.items.length; i++) {
      const request = this.items[i];
      if (request !== undefined) yield request;
    }
  }

  /** Removes and returns everything, oldest first. */
  drain(): OutstandingRequest[] {
    const rest = this.items
      .slice(this.head)
      .filter((r): r is OutstandingRequest => r !== undefined);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/**
 * What an outstanding request fails with: the client's own reason (closed, expired) as it is, and
 * anything that broke the connection as CONNECTIONLOSS, since the request's outcome is unknown.
 */
export function failureFor(request: OutstandingRequest, error: Error): Error {
  if (error instanceof ConnectionLossError) {
    return new ConnectionLossError(request.path, error.message, { cause: error });
  }
  if (error instanceof ProtocolError) {
    return new ConnectionLossError(request.path, `CONNECTIONLOSS: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
