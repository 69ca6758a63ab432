/**
 * Runs a callback that is not the client's own (a listener, an observer): what it throws is
 * rethrown on the next tick, as an uncaught exception, so a bug there stops none of the client's
 * work (the reconnect, the other listeners) and is still seen.
 */
export function callIsolated(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    process.nextTick(() => {
      throw error;
    });
  }
}
