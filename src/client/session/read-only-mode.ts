import type { Connector, Credentials, Opened } from '../transport/connector.js';
import { ConnectionLossError } from '../errors.js';
import { askReadOnly, RwServerProbe } from '../transport/rw-server-probe.js';
import type { ReadOnlyProbe } from '../transport/rw-server-probe.js';
import type { SessionOptions } from './session-types.js';

const NO_PASSWORD = new Uint8Array(16);

/**
 * The session's rules for read-only servers (`canBeReadOnly`). Since 3.7 a read-only server
 * refuses to resume a global session and opens only local sessions of its own, which every other
 * server reports expired. So a session a read-only server opened is never presented again: the
 * next connection opens a new session (the Java client's "not seen a read/write server" rule).
 * Nothing is lost with it: it cannot write, so it has no ephemeral nodes, and its watches are
 * re-registered on the next session. Hence no loss timer either: the session arms it only on
 * adopting a connection, and it does not run in readOnly, so not in a `suspended` that follows.
 * While read-only, the probe looks for a read/write server to move to.
 */
export class ReadOnlyMode {
  /** True while the current session is one a read-only server opened. */
  private isLocal = false;
  private readonly probe: RwServerProbe;

  constructor(
    private readonly connector: Connector,
    options: Pick<SessionOptions, 'hosts' | 'tls'>,
    signal: AbortSignal,
    ask: ReadOnlyProbe = (host) => askReadOnly(host, options.tls),
  ) {
    this.probe = new RwServerProbe(options.hosts, signal, ask);
  }

  /** Whether the current session is a read-only server's own, which no other server vouches for. */
  get local(): boolean {
    return this.isLocal;
  }

  /** What to present on the next connect: a new session instead of a read-only server's one. */
  credentials(current: Credentials): Credentials {
    return this.local
      ? { sessionId: 0n, password: NO_PASSWORD, lastZxid: current.lastZxid }
      : current;
  }

  /**
   * The state to report for a connection just established: `readOnly` on a read-only server; on
   * a read/write server `connected` when it replaced a read-only server's session (a new session
   * id), else what the session asked for. While read-only, looks for a read/write server in the
   * background; once found, drops the connection with the next attempt aimed there: the session
   * then reconnects as after any drop (`suspended`, then `connected` on the new server).
   */
  adopted(
    { connection, response }: Opened,
    asked: 'connected' | 'reconnected',
  ): 'connected' | 'reconnected' | 'readOnly' {
    const replacedLocal = this.isLocal;
    this.isLocal = response.readOnly;
    if (!this.isLocal) return replacedLocal ? 'connected' : asked;
    void this.probe.watch(connection, (host) => {
      this.connector.preferNext(host);
      connection.close(
        new ConnectionLossError(
          undefined,
          `CONNECTIONLOSS: leaving the read-only server for the read/write server ${host.host}:${host.port}`,
        ),
      );
    });
    return 'readOnly';
  }
}
