import type net from 'node:net';
import { ConnectResponse, JuteReader, ProtocolError, ReplyHeader } from '../../protocol/index.js';
import type { FrameSplitter } from '../../protocol/index.js';
import { ConnectionLossError, NotReadOnlyError } from '../errors.js';

const SHORTEST_CONNECT_RESPONSE = 36;

/** What the handshake needs of the connection it runs on. */
export interface HandshakeIo {
  readonly socket: net.Socket;
  readonly splitter: FrameSplitter;
  /** `host:port`, for messages. */
  readonly where: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** Writes the ConnectRequest frame. */
  sendRequest(): void;
  /** Counts the answer's frame. */
  onFrame(): void;
}

/**
 * Sends the ConnectRequest and waits for the ConnectResponse, the first frame the server sends.
 * Rejects with ConnectionLossError when the socket fails, the server closes it, no answer comes in
 * time or the attempt is cancelled, and with NotReadOnlyError when a read-only server refuses.
 */
export function handshake(io: HandshakeIo): Promise<ConnectResponse> {
  const { socket, signal, where } = io;
  return new Promise<ConnectResponse>((resolve, reject) => {
    const fail = (reason: string, cause?: unknown): void => {
      cleanup();
      reject(new ConnectionLossError(undefined, `CONNECTIONLOSS: ${reason} (${where})`, { cause }));
    };
    const timer = setTimeout(() => {
      fail(`no handshake answer within ${io.timeoutMs} ms`);
    }, io.timeoutMs);
    const onError = (error: Error): void => {
      fail(`socket error: ${error.message}`, error);
    };
    const onClose = (): void => {
      fail('the server closed the connection during the handshake');
    };
    const onData = (chunk: Buffer): void => {
      try {
        io.splitter.push(chunk, (frame) => {
          cleanup();
          io.onFrame();
          resolve(readConnectResponse(frame));
        });
      } catch (error) {
        cleanup();
        reject(error instanceof Error ? error : new ProtocolError(String(error)));
      }
    };
    const onAbort = (): void => {
      fail('the attempt was cancelled');
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError).off('close', onClose).off('data', onData);
    };
    socket.on('error', onError).on('close', onClose).on('data', onData);
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort);
    io.sendRequest();
  });
}

function readConnectResponse(frame: Buffer): ConnectResponse {
  if (frame.length < SHORTEST_CONNECT_RESPONSE) {
    // A read-only server without local sessions answers with a bare ReplyHeader (err -119).
    const header = ReplyHeader.read(new JuteReader(frame));
    throw header.err === -119
      ? new NotReadOnlyError(
          undefined,
          'NOTREADONLY: the server is read-only and refused the session',
        )
      : new ProtocolError(`short ConnectResponse (${frame.length} bytes, err ${header.err})`);
  }
  return ConnectResponse.read(new JuteReader(frame));
}
