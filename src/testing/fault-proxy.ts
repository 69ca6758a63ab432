import net from 'node:net';
import type { ReplyHeader } from '../protocol/index.js';
import { FaultProxyStoppedError } from './errors.js';
import { parseHostPort, type HostPort } from './host-port.js';
import { ProxyLink, type LinkHost, type PendingDrop, type UpstreamRewriter } from './proxy-link.js';
import {
  copyCounts,
  countClientFrame,
  countServerFrame,
  emptyCounts,
  type ClientFrame,
  type ServerFrame,
  type WireCounts,
} from './wire-tap.js';

export interface FaultProxyOptions {
  /** The server to forward to: `{ host, port }` or `'host:port'`. */
  target: HostPort | string;
  /** Port to listen on (127.0.0.1). Default: a free one. */
  port?: number;
  /**
   * `'client'` (default): ZooKeeper's client protocol, read frame by frame for counts() and
   * dropReplyTo(). `'opaque'`: any other TCP traffic (a quorum's, for example), forwarded byte
   * for byte without being read, so counts() stays at zero and dropReplyTo() is refused.
   */
  traffic?: 'client' | 'opaque';
}

/** @internal What ZooKeeperEnsemble's quorum links need beyond the public options. */
export interface ProxyHooks {
  /** Rewrites what each new connection sends to the target. */
  readonly rewriter?: () => UpstreamRewriter;
  /** The proxy does not keep the Node process alive, like the ensemble's JVMs. */
  readonly background?: boolean;
  /** Tries at a refused target, 100 ms apart, before the client's connection is reset. Default 1. */
  readonly connectAttempts?: number;
}

export type FaultMode = 'pass' | 'delay' | 'blackhole';

/**
 * Told of each chunk a FaultProxy passes on, as it passes it on: `connection` stands for the
 * proxied connection it belongs to (the same object for all its chunks, either way).
 */
export type ForwardListener = (
  chunk: Buffer,
  direction: 'toTarget' | 'toClient',
  connection: object,
) => void;

const HOST = '127.0.0.1';

/**
 * A TCP proxy on 127.0.0.1 in front of one ZooKeeper server, to cut a client off without touching
 * the server: delay, hold (black-hole) or reset its connections, or lose exactly one reply. Modes
 * switch at any time and apply to open connections as well as new ones. It also counts the frames
 * it forwards, by kind, so a test can see what really crossed the wire.
 */
export class FaultProxy {
  readonly host = HOST;
  readonly port: number;
  /** `127.0.0.1:<port>`: give this to the client instead of the server's address. */
  readonly connectString: string;
  readonly target: HostPort;
  readonly #server: net.Server;
  readonly #linkHost: LinkHost;
  readonly #links = new Set<ProxyLink>();
  readonly #armed: PendingDrop[] = [];
  readonly #followsFrames: boolean;
  #counts: WireCounts = emptyCounts();
  readonly #forwardListeners = new Set<ForwardListener>();
  #mode: FaultMode = 'pass';
  #delayMs = 0;
  #stopped = false;

  private constructor(
    server: net.Server,
    port: number,
    target: FaultProxy['target'],
    frames: boolean,
    hooks: ProxyHooks,
  ) {
    this.#server = server;
    this.port = port;
    this.connectString = `${HOST}:${port}`;
    this.target = target;
    this.#followsFrames = frames;
    this.#linkHost = this.#makeLinkHost(target, hooks);
  }

  /** Listens and resolves once the proxy accepts connections; it starts in `pass` mode. */
  static async start(options: FaultProxyOptions, hooks: ProxyHooks = {}): Promise<FaultProxy> {
    const target = parseHostPort(options.target, 'proxy target');
    const traffic: string = options.traffic ?? 'client';
    if (traffic !== 'client' && traffic !== 'opaque') {
      throw new RangeError(`traffic is 'client' or 'opaque', not ${traffic}`);
    }
    // Half-open allowed, so each side's FIN is forwarded in order with its bytes, not at once.
    const server = net.createServer({ allowHalfOpen: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: HOST, port: options.port ?? 0, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') {
      server.close();
      throw new Error(`unexpected proxy address ${String(address)}`);
    }
    if (hooks.background === true) server.unref();
    const proxy = new FaultProxy(server, address.port, target, traffic === 'client', hooks);
    server.on('connection', (socket) => {
      proxy.#accept(socket);
    });
    return proxy;
  }

  /** The current mode. */
  get mode(): FaultMode {
    return this.#mode;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.#links.size;
  }

  /** Forwards everything as it comes, releasing anything held or delayed right away, in order. */
  pass(): void {
    this.#setMode('pass', 0);
  }

  /**
   * Forwards each chunk `ms` after it arrived, in each direction (a round trip gains 2 × ms), order
   * kept. Chunks already waiting are re-timed from their arrival.
   */
  delay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`delay must be a non-negative number of ms, got ${String(ms)}`);
    }
    this.#setMode('delay', ms);
  }

  /**
   * Forwards nothing either way and keeps every socket open; new connections are accepted and
   * not forwarded either. Bytes are held, not lost, as TCP retransmits across a partition that
   * heals: pass() delivers them. A client whose read timeout fires closes its connection, and
   * what it had sent then never arrives.
   */
  blackhole(): void {
    this.#setMode('blackhole', 0);
  }

  /**
   * Resets every open connection (RST to the client, the server's side closed, held bytes
   * discarded), then passes: in-flight requests fail, and the client can reconnect at once.
   */
  reset(): void {
    this.#requireRunning('reset');
    this.#mode = 'pass';
    this.#delayMs = 0;
    for (const link of [...this.#links]) link.reset();
  }

  /**
   * Lets the next client request with this opcode through (create2 is 15, create 1, setData 5,
   * …), drops the server's reply to it, and closes that client connection: the request took
   * effect but the client never learns it. Resolves with the dropped reply's header once that
   * happened. Rejects with ReplyNotDroppedError if the connection closes before the reply, and
   * with FaultProxyStoppedError if the proxy stops first.
   */
  dropReplyTo(opcode: number): Promise<ReplyHeader> {
    if (this.#stopped) {
      return Promise.reject(new FaultProxyStoppedError('dropReplyTo() after stop()'));
    }
    if (!Number.isInteger(opcode)) {
      return Promise.reject(new RangeError(`opcode must be an integer, got ${String(opcode)}`));
    }
    if (!this.#followsFrames) {
      return Promise.reject(new RangeError("dropReplyTo() needs traffic: 'client'"));
    }
    return new Promise<ReplyHeader>((resolve, reject) => {
      this.#armed.push({ opcode, resolve, reject });
    });
  }

  /**
   * Calls `listener` with every chunk as it is passed on, either way: to follow traffic the proxy
   * does not read itself and time a fault against it (e.g. cut a quorum link right after a
   * packet). Held chunks are reported when released. Returns the function that stops it.
   */
  onForward(listener: ForwardListener): () => void {
    this.#forwardListeners.add(listener);
    return () => this.#forwardListeners.delete(listener);
  }

  /** Frames forwarded so far in each direction, by kind (a copy). */
  counts(): WireCounts {
    return copyCounts(this.#counts);
  }

  resetCounts(): void {
    this.#counts = emptyCounts();
  }

  /** Closes the listener and every connection; pending dropReplyTo() promises reject. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const error = new FaultProxyStoppedError('the proxy was stopped');
    for (const drop of this.#armed.splice(0)) drop.reject(error);
    for (const link of [...this.#links]) link.destroy(error);
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #accept(socket: net.Socket): void {
    if (this.#stopped) {
      socket.destroy();
      return;
    }
    this.#links.add(new ProxyLink(this.#linkHost, socket));
  }

  #makeLinkHost(target: FaultProxy['target'], hooks: ProxyHooks): LinkHost {
    return {
      target,
      followsFrames: this.#followsFrames,
      background: hooks.background ?? false,
      connectAttempts: hooks.connectAttempts ?? 1,
      newRewriter: hooks.rewriter,
      dueAt: (receivedAt) => {
        if (this.#mode === 'blackhole') return Number.POSITIVE_INFINITY;
        return this.#mode === 'delay' ? receivedAt + this.#delayMs : receivedAt;
      },
      onClientFrame: (frame: ClientFrame) => {
        countClientFrame(this.#counts.clientToServer, frame);
      },
      onServerFrame: (frame: ServerFrame) => {
        countServerFrame(this.#counts.serverToClient, frame);
      },
      onForwarded: (link, direction, chunk) => {
        for (const listener of this.#forwardListeners) listener(chunk, direction, link);
      },
      claimDrop: (opcode) => {
        const index = this.#armed.findIndex((drop) => drop.opcode === opcode);
        return index === -1 ? undefined : this.#armed.splice(index, 1)[0];
      },
      onFinished: (link) => {
        this.#links.delete(link);
      },
    };
  }

  #setMode(mode: FaultMode, delayMs: number): void {
    this.#requireRunning(mode);
    this.#mode = mode;
    this.#delayMs = delayMs;
    for (const link of [...this.#links]) link.pump();
  }

  #requireRunning(method: string): void {
    if (this.#stopped) throw new FaultProxyStoppedError(`${method}() after stop()`);
  }
}
