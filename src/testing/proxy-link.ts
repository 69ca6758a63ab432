import net from 'node:net';
import type { ReplyHeader } from '../protocol/index.js';
import { ReplyNotDroppedError } from './errors.js';
import {
  clientTap,
  serverTap,
  type ClientFrame,
  type ClientTap,
  type ServerFrame,
  type ServerTap,
} from './wire-tap.js';

/** An armed dropReplyTo(): settled once the reply is dropped, or when that cannot happen. */
export interface PendingDrop {
  readonly opcode: number;
  resolve(reply: ReplyHeader): void;
  reject(error: Error): void;
}

/** Turns what a client sends into what the server gets; one per connection, so it may keep state. */
export type UpstreamRewriter = (chunk: Buffer) => Buffer;

/** What a link needs from its proxy: the current fault mode, the counters, armed drops. */
export interface LinkHost {
  readonly target: { readonly host: string; readonly port: number };
  /**
   * False for traffic that is not ZooKeeper's client protocol: its bytes are forwarded without
   * being read as frames, so nothing is counted and no reply can be dropped.
   */
  readonly followsFrames: boolean;
  /** True when the sockets and timers must not keep the Node process alive on their own. */
  readonly background: boolean;
  /** Tries at connecting to the target, CONNECT_RETRY_MS apart, before the client is reset. */
  readonly connectAttempts: number;
  newRewriter: (() => UpstreamRewriter) | undefined;
  /** When bytes received at `receivedAt` (monotonic ms) may go on; Infinity while held. */
  dueAt(receivedAt: number): number;
  onClientFrame(frame: ClientFrame): void;
  onServerFrame(frame: ServerFrame): void;
  /** A chunk passed on, to the target or to the client, on `link`. */
  onForwarded(link: ProxyLink, direction: 'toTarget' | 'toClient', chunk: Buffer): void;
  /** The armed drop this request claims, if one waits for its opcode. */
  claimDrop(opcode: number): PendingDrop | undefined;
  onFinished(link: ProxyLink): void;
}

/** Between two tries at the target: a refused learner tries again after a pause of this order. */
const CONNECT_RETRY_MS = 100;

type Item = { readonly at: number } & ({ readonly chunk: Buffer } | { readonly end: true });

/** One direction: bytes in arrival order, each released when the mode says it is due. */
class Lane {
  readonly items: Item[] = [];
  ended = false;

  push(item: Item): void {
    if (this.ended) return;
    if ('end' in item) this.ended = true;
    this.items.push(item);
  }
}

/**
 * One client connection and its connection to the server. Everything passes through two queues,
 * so delay, hold and release keep the byte order of each direction whatever the mode does.
 */
export class ProxyLink {
  readonly #host: LinkHost;
  readonly #client: net.Socket;
  #upstream: net.Socket | undefined;
  /** Set once the target accepted: bytes for it wait in their lane until then. */
  #upstreamReady = false;
  #connectAttempts = 0;
  /** performance.now() before which no new try at the target is made. */
  #retryAt = 0;
  readonly #up = new Lane();
  readonly #down = new Lane();
  readonly #clientTap: ClientTap = clientTap();
  readonly #serverTap: ServerTap = serverTap();
  readonly #rewrite: UpstreamRewriter | undefined;
  /** Requests whose replies are to be dropped, by xid. */
  readonly #awaiting = new Map<number, PendingDrop>();
  #timer: NodeJS.Timeout | undefined;
  #clientClosed = false;
  #upstreamClosed = false;
  /** Set once the link was cut on purpose: nothing more is forwarded either way. */
  #cut = false;
  #finished = false;

  constructor(host: LinkHost, client: net.Socket) {
    this.#host = host;
    this.#client = client;
    this.#rewrite = host.newRewriter?.();
    client.setNoDelay(true);
    if (host.background) client.unref();
    client.on('data', (chunk: Buffer) => {
      this.#up.push({ at: performance.now(), chunk });
      this.pump();
    });
    client.on('end', () => {
      this.#up.push({ at: performance.now(), end: true });
      this.pump();
    });
    client.on('error', () => {
      // 'close' follows and does the work.
    });
    client.on('close', () => {
      this.#clientClosed = true;
      this.#up.push({ at: performance.now(), end: true });
      this.pump();
      this.#finishIfDone();
    });
    this.pump();
  }

  /** Forwards whatever the mode allows now and schedules the next release. */
  pump(): void {
    if (this.#finished) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = performance.now();
    // While held, a new connection is accepted but not even opened to the server.
    if (
      this.#upstream === undefined &&
      !this.#cut &&
      !this.#clientClosed &&
      Number.isFinite(this.#host.dueAt(now)) &&
      now >= this.#retryAt
    ) {
      this.#openUpstream();
    }
    const retry =
      this.#upstream === undefined && this.#retryAt > now
        ? this.#retryAt
        : Number.POSITIVE_INFINITY;
    const next = Math.min(
      retry,
      this.#upstreamReady
        ? this.#drain(this.#up, now, (item) => {
            this.#deliverUp(item);
          })
        : Number.POSITIVE_INFINITY,
      this.#drain(this.#down, now, (item) => {
        this.#deliverDown(item);
      }),
    );
    // A timer left by a link that finished meanwhile only calls the early return above.
    if (Number.isFinite(next)) {
      this.#timer = setTimeout(
        () => {
          this.pump();
        },
        Math.max(0, Math.ceil(next - now)),
      );
      if (this.#host.background) this.#timer.unref();
    }
  }

  /** RST to the client, and the server connection closed: a broken network path. */
  reset(): void {
    this.#cut = true;
    if (!this.#client.destroyed) this.#client.resetAndDestroy();
    if (this.#upstream !== undefined && !this.#upstream.destroyed) {
      this.#upstream.resetAndDestroy();
    }
  }

  /** Closes both sides at once (proxy stop); armed drops fail with `error`. */
  destroy(error: Error): void {
    this.#failDrops(error);
    this.#cut = true;
    this.#client.destroy();
    this.#upstream?.destroy();
    this.#finish();
  }

  /** Releases due items in order; returns when the head is due, or Infinity. */
  #drain(lane: Lane, now: number, deliver: (item: Item) => void): number {
    for (;;) {
      const head = lane.items[0];
      if (head === undefined) return Number.POSITIVE_INFINITY;
      const due = this.#host.dueAt(head.at);
      if (due > now) return due;
      lane.items.shift();
      deliver(head);
      if (this.#finished) return Number.POSITIVE_INFINITY;
    }
  }

  #openUpstream(): void {
    const upstream = net.connect({ ...this.#host.target, noDelay: true, allowHalfOpen: true });
    this.#upstream = upstream;
    if (this.#host.background) upstream.unref();
    let connected = false;
    upstream.on('connect', () => {
      connected = true;
      this.#upstreamReady = true;
      this.pump();
    });
    upstream.on('data', (chunk: Buffer) => {
      this.#down.push({ at: performance.now(), chunk });
      this.pump();
    });
    upstream.on('end', () => {
      this.#down.push({ at: performance.now(), end: true });
      this.pump();
    });
    upstream.on('error', () => {
      // 'close' follows.
    });
    upstream.on('close', () => {
      if (!connected && this.#retryConnect()) return;
      this.#upstreamClosed = true;
      // A refused connection is a dead server: the client sees its connection fail at once.
      if (!connected) this.reset();
      this.#down.push({ at: performance.now(), end: true });
      this.pump();
      this.#finishIfDone();
    });
  }

  /** After a refused connection: true if another try is scheduled. */
  #retryConnect(): boolean {
    this.#connectAttempts++;
    if (this.#connectAttempts >= this.#host.connectAttempts || this.#cut || this.#clientClosed) {
      return false;
    }
    this.#upstream = undefined;
    this.#retryAt = performance.now() + CONNECT_RETRY_MS;
    this.pump();
    return true;
  }

  #deliverUp(item: Item): void {
    const upstream = this.#upstream;
    if (this.#cut || upstream === undefined || upstream.destroyed) return;
    if ('end' in item) {
      upstream.end();
      return;
    }
    const chunk = this.#rewrite === undefined ? item.chunk : this.#rewrite(item.chunk);
    if (this.#host.followsFrames) {
      for (const frame of this.#clientTap.frames(chunk)) {
        this.#host.onClientFrame(frame);
        if (frame.kind !== 'request') continue;
        const drop = this.#host.claimDrop(frame.header.type);
        if (drop !== undefined) this.#awaiting.set(frame.header.xid, drop);
      }
    }
    // A rewriter that still waits for the rest of what it rewrites returns nothing yet.
    if (chunk.length === 0) return;
    this.#host.onForwarded(this, 'toTarget', chunk);
    upstream.write(chunk);
  }

  #deliverDown(item: Item): void {
    const client = this.#client;
    if (this.#cut || client.destroyed) return;
    if ('end' in item) {
      client.end();
      return;
    }
    if (!this.#host.followsFrames) {
      this.#host.onForwarded(this, 'toClient', item.chunk);
      client.write(item.chunk);
      return;
    }
    const frames = this.#serverTap.frames(item.chunk);
    const dropped = frames.find(
      (frame) => frame.kind === 'reply' && this.#awaiting.has(frame.header.xid),
    );
    if (dropped?.kind !== 'reply') {
      for (const frame of frames) this.#host.onServerFrame(frame);
      this.#host.onForwarded(this, 'toClient', item.chunk);
      client.write(item.chunk);
      return;
    }
    // Everything before the reply reaches the client; the reply and all after it never do.
    for (const frame of frames) if (frame.end <= dropped.start) this.#host.onServerFrame(frame);
    const drop = this.#awaiting.get(dropped.header.xid);
    this.#awaiting.delete(dropped.header.xid);
    this.#cut = true;
    // FIN rather than RST, so the frames before the reply are not discarded with the socket.
    client.end(item.chunk.subarray(0, Math.max(0, dropped.start)));
    this.#upstream?.destroy();
    drop?.resolve(dropped.header);
  }

  #finishIfDone(): void {
    if (this.#clientClosed && (this.#upstream === undefined || this.#upstreamClosed)) {
      this.#failDrops(
        new ReplyNotDroppedError('the connection closed before the server replied to the request'),
      );
      this.#finish();
    }
  }

  #failDrops(error: Error): void {
    for (const drop of this.#awaiting.values()) drop.reject(error);
    this.#awaiting.clear();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#host.onFinished(this);
  }
}
