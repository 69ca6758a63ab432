import type { ConnectResponse } from '../protocol/index.js';
import type { HostAddress } from './connect-string.js';
import type { Connection } from './connection.js';
import type { Connector, Credentials } from './connector.js';
import { ConnectionLossError } from './errors.js';
import { RwServerProbe } from './rw-server-probe.js';

const NO_PASSWORD = new Uint8Array(16);

/**
 * The session's rules for read-only servers (`canBeReadOnly`). Since 3.7 a read-only server
 * refuses to resume a global session and opens only local sessions of its own, which every other
 * server reports expired. So a session a read-only server opened is never presented again: the
 * next connection opens a new session (the Java client's "not seen a read/write server" rule),
 * re-registering the watches, which is all such a session can hold — it cannot write, so it has
 * no ephemeral nodes. While read-only, the probe looks for a read/write server to move to.
 */
export class ReadOnlyMode {
  /** True while the current session is one a read-only server opened. */
  private local = false;
  private readonly probe: RwServerProbe;

  constructor(
    private readonly connector: Connector,
    hosts: readonly HostAddress[],
    signal: AbortSignal,
  ) {
    this.probe = new RwServerProbe(hosts, signal);
  }

  /** True while the session exists only on the read-only server that opened it. */
  get sessionIsLocal(): boolean {
    return this.local;
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
   * id), else what the session asked for.
   */
  stateFor(
    response: ConnectResponse,
    asked: 'connected' | 'reconnected',
  ): 'connected' | 'reconnected' | 'readOnly' {
    const replacedLocal = this.local;
    this.local = response.readOnly;
    if (this.local) return 'readOnly';
    return replacedLocal ? 'connected' : asked;
  }

  /**
   * While `connection` is to a read-only server, looks for a read/write one in the background.
   * Once found, drops the connection with the next attempt aimed there: the session then
   * reconnects as after any drop (`suspended`, then `connected` on the new server).
   */
  watch(connection: Connection): void {
    if (!this.local) return;
    void this.probe.watch(connection, (host) => {
      this.connector.preferNext(host);
      connection.close(
        new ConnectionLossError(
          undefined,
          `CONNECTIONLOSS: leaving the read-only server for the read/write server ${host.host}:${host.port}`,
        ),
      );
    });
  }
}
