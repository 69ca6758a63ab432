import diagnosticsChannel from 'node:diagnostics_channel';
import { opCodeName } from '../../protocol/index.js';
import type { WatcherEvent } from '../../protocol/index.js';
import type { LossCause, SessionState } from './session-types.js';
import { eventNames } from '../watches/watch-promise.js';

/**
 * The client's `node:diagnostics_channel` channels: subscribe to trace requests, follow state
 * changes or count watch events without wrapping the client. Nothing is built for a channel
 * nobody listens to. Payloads are documented in docs/observability.md.
 */
export const channels = {
  request: diagnosticsChannel.channel('zkcoord:request'),
  state: diagnosticsChannel.channel('zkcoord:state'),
  watch: diagnosticsChannel.channel('zkcoord:watch'),
  trust: diagnosticsChannel.channel('zkcoord:trust'),
} as const;

/** Published on `zkcoord:request` when a request is submitted. */
export interface RequestStartMessage {
  readonly phase: 'start';
  /** Unique per client while the request is outstanding (the xid); pairs `start` with `end`. */
  readonly requestId: number;
  /** The operation's name: `getData`, `create2`, `multi`, … */
  readonly op: string;
  /** The path as the caller named it (no chroot); absent for multi and session-wide operations. */
  readonly path: string | undefined;
  /** The session at submit time (0n while the first connect is pending). */
  readonly sessionId: bigint;
}

/** Published on `zkcoord:request` when the request's promise settles. */
export interface RequestEndMessage extends Omit<RequestStartMessage, 'phase'> {
  readonly phase: 'end';
  /** From submit to settlement, ms (includes any wait for a connection). */
  readonly durationMs: number;
  /** The error's `code` (`NONODE`, `CONNECTIONLOSS`, …) when it rejected. */
  readonly error?: string;
}

/** Published on `zkcoord:state` on every state change. */
export interface StateMessage {
  readonly state: SessionState;
  readonly sessionId: bigint;
  readonly cause?: LossCause;
}

/**
 * Published on `zkcoord:trust` as the leader confirms the session (`confirmed`: a sync answered,
 * with the deadline it leaves), as the deadline passes or the host was found to have slept
 * (`lapsed`), and as the client leaves a server that does not pass its syncs on (`left`).
 * Times are `performance.now()` ms.
 */
export type TrustMessage =
  | {
      readonly event: 'confirmed';
      readonly sessionId: bigint;
      readonly deadline: number | undefined;
      readonly syncSentAt: number;
      readonly answeredAt: number;
    }
  | {
      readonly event: 'lapsed';
      readonly sessionId: bigint;
      readonly reason: 'deadline' | 'clockJump';
    }
  | { readonly event: 'left'; readonly sessionId: bigint; readonly server: string };

/** Published on `zkcoord:watch` for every notification the server sends. */
export interface WatchMessage {
  /** `nodeCreated`, `nodeDeleted`, `nodeDataChanged` or `nodeChildrenChanged`. */
  readonly type: string;
  /** The server's path (with the chroot, if any). */
  readonly serverPath: string;
  /** The change's zxid (servers 3.9+), else -1n. */
  readonly zxid: bigint;
  /** How many local watches and watchers it was delivered to. */
  readonly listeners: number;
}

type Settle = (value: unknown) => void;
type Fail = (error: Error) => void;

/**
 * Wraps a request's settle functions so that `start` is published now and `end` when it settles;
 * returns them unchanged when nobody listens.
 */
export function traceRequest(
  requestId: number,
  opcode: number,
  path: string | undefined,
  sessionId: bigint,
  resolve: Settle,
  reject: Fail,
): [Settle, Fail] {
  if (!channels.request.hasSubscribers) return [resolve, reject];
  const op = opCodeName(opcode);
  const startedAt = performance.now();
  channels.request.publish({
    phase: 'start',
    requestId,
    op,
    path,
    sessionId,
  } satisfies RequestStartMessage);
  const end = (error?: Error): void => {
    const message: RequestEndMessage = {
      phase: 'end',
      requestId,
      op,
      path,
      sessionId,
      durationMs: performance.now() - startedAt,
      ...(error === undefined ? {} : { error: errorCode(error) }),
    };
    channels.request.publish(message);
  };
  return [
    (value) => {
      end();
      resolve(value);
    },
    (error) => {
      end(error);
      reject(error);
    },
  ];
}

function errorCode(error: Error): string {
  return 'code' in error && typeof error.code === 'string' ? error.code : error.name;
}

/** Publishes one server notification on `zkcoord:watch` (callers check for subscribers first). */
export function publishWatch(event: WatcherEvent, zxid: bigint, listeners: number): void {
  const message: WatchMessage = {
    type: eventNames[event.type] ?? `unknown(${event.type})`,
    serverPath: event.path,
    zxid,
    listeners,
  };
  channels.watch.publish(message);
}
