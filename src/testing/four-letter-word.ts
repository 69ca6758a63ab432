import { connect } from 'node:net';
import { FourLetterWordError, FourLetterWordTimeoutError } from './errors.js';

export interface FourLetterWordOptions {
  /**
   * Bound on the whole exchange (connect, write, read until close). Kept short by default because
   * a server that is starting can accept a probe and never answer it; a quick retry beats a long
   * blocking read.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 500;

/**
 * Sends a four-letter word (`ruok`, `srvr`, `mntr`, `cons`, ...) and resolves with the server's
 * whole answer, read until the server closes the connection.
 */
export async function fourLetterWord(
  host: string,
  port: number,
  command: string,
  options: FourLetterWordOptions = {},
): Promise<string> {
  if (!/^[a-z]{4}$/.test(command)) {
    throw new RangeError(`not a four-letter word: ${JSON.stringify(command)}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host, port });

    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(error);
    };

    const timer = setTimeout(() => {
      finish(
        new FourLetterWordTimeoutError(
          `'${command}' to ${host}:${port} got no complete answer within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);

    // Only write: half-closing could race the server's own close of a four-letter-word connection.
    socket.on('connect', () => socket.write(command, 'ascii'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (cause) => {
      finish(
        new FourLetterWordError(`'${command}' to ${host}:${port} failed: ${cause.message}`, {
          cause,
        }),
      );
    });
    socket.on('close', () => {
      finish(undefined);
    });
  });
}
