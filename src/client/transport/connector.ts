import type { ConnectResponse } from '../../protocol/index.js';
import { pause } from '../pause.js';
import { Connection } from './connection.js';
import type { ConnectionCounters, Dial, Transport, TransportEvents } from './transport.js';
import type { HostAddress } from '../connect-string.js';
import { HostCycle } from './host-cycle.js';
import type { ZooKeeperTlsOptions } from '../types.js';

export interface Opened {
  readonly connection: Transport;
  readonly response: ConnectResponse;
}

/** What a connect attempt presents: a new session (id 0) or the one to resume. */
export interface Credentials {
  readonly sessionId: bigint;
  readonly password: Uint8Array;
  /** The newest zxid seen; a server that is behind it refuses us, so we never go back in time. */
  readonly lastZxid: bigint;
}

export interface ConnectorOptions {
  readonly hosts: readonly HostAddress[];
  readonly sessionTimeoutMs: number;
  readonly canBeReadOnly: boolean;
  readonly maxRequestFrame: number;
  readonly maxResponseFrame: number;
  readonly tls?: ZooKeeperTlsOptions | undefined;
}

export interface AttemptPlan {
  /** Monotonic ms after which no new attempt starts. */
  readonly deadline: number;
  /**
   * No pause before the first attempt: the session's very first connect, or a server left
   * because the leader's confirmation was running out.
   */
  readonly immediate: boolean;
  /** The session timeout T in force: the negotiated one once there was a session, else the requested one. */
  readonly timeoutMs: number;
  /** Checked before every attempt and pause; false stops the loop. */
  readonly shouldContinue: () => boolean;
  readonly signal: AbortSignal;
}

/**
 * Opens connections for the session: hosts in shuffled order, a pause with jitter between
 * attempts as the Java client takes, T / number-of-hosts for each handshake.
 */
export class Connector {
  private readonly hosts: HostCycle;
  /** Why the last open() failed, so a caller that gives up can say (e.g. a TLS verify error). */
  lastFailure: Error | undefined;
  /** Summed over every connection this connector opened. */
  readonly counters: ConnectionCounters = { socketWrites: 0, framesSent: 0, framesReceived: 0 };

  constructor(
    private readonly options: ConnectorOptions,
    private readonly dial: Dial = (target, request, events, counters) =>
      Connection.open(target, request, events, counters),
  ) {
    this.hosts = new HostCycle(options.hosts);
  }

  describeHosts(): string {
    return this.options.hosts.map((h) => `${h.host}:${h.port}`).join(',');
  }

  /** The next attempt goes to `host` (a read/write server found while on a read-only one). */
  preferNext(host: HostAddress): void {
    this.hosts.preferNext(host);
  }

  /**
   * Tries hosts until one completes the handshake; undefined once the plan says stop. The
   * connection reports to `events` from then on.
   */
  async open(
    plan: AttemptPlan,
    credentials: Credentials,
    events: TransportEvents,
  ): Promise<Opened | undefined> {
    const perAttemptMs = Math.max(1, Math.floor(plan.timeoutMs / this.options.hosts.length));
    const remaining = (): number => Math.max(0, plan.deadline - performance.now());
    this.lastFailure = undefined;
    for (let failed = 0; plan.shouldContinue() && remaining() > 0; failed++) {
      const { host, delayMs } = this.hosts.next(plan.immediate && failed === 0, failed);
      try {
        if (delayMs > 0) await pause(Math.min(delayMs, remaining()), plan.signal);
        if (!plan.shouldContinue() || remaining() <= 0) break;
        const { transport, response } = await this.dial(
          {
            host: host.host,
            port: host.port,
            connectTimeoutMs: Math.max(1, Math.min(perAttemptMs, remaining())),
            maxRequestFrame: this.options.maxRequestFrame,
            maxResponseFrame: this.options.maxResponseFrame,
            tls: this.options.tls,
            signal: plan.signal,
          },
          {
            protocolVersion: 0,
            lastZxidSeen: credentials.lastZxid,
            timeOut: this.options.sessionTimeoutMs,
            sessionId: credentials.sessionId,
            passwd: credentials.password,
            readOnly: this.options.canBeReadOnly,
          },
          events,
          this.counters,
        );
        return { connection: transport, response };
      } catch (error) {
        // Unreachable, refusing, silent, or cancelled: the loop condition decides what is next.
        // The attempt the deadline cut short says less than the one that failed before it.
        if (error instanceof Error && (remaining() > 0 || this.lastFailure === undefined))
          this.lastFailure = error;
      }
    }
    return undefined;
  }
}
