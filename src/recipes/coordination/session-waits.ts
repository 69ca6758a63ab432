import { ClientClosedError } from '../../client/index.js';
import type { ZooKeeper } from '../../client/index.js';
import { abortable } from './abortable.js';

/**
 * Resolves once the client is connected (at once if it is; after a loss, in the next session);
 * rejects with ClientClosedError when the client closes, and with the signal's reason when it
 * aborts, leaving no observer behind. With `newSessionOnLoss: false` no session comes after a
 * loss: it waits for the signal or close().
 */
export function untilConnected(zk: ZooKeeper, signal: AbortSignal | undefined): Promise<void> {
  const connected = (): boolean => zk.state === 'connected' || zk.state === 'reconnected';
  const closed = (): boolean => zk.state === 'closed' || zk.closing;
  if (connected()) return Promise.resolve();
  if (closed()) return Promise.reject(new ClientClosedError());
  let stop = (): void => undefined;
  const settled = new Promise<void>((resolve, reject) => {
    stop = zk.observeState(() => {
      if (connected()) resolve();
      else if (closed()) reject(new ClientClosedError());
    });
  });
  return abortable(settled, signal).finally(() => {
    stop();
  });
}
