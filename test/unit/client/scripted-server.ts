import net from 'node:net';
import {
  ConnectResponse,
  FrameSplitter,
  JuteReader,
  JuteWriter,
  RequestHeader,
} from '../../../src/protocol/index.js';

// A scripted server, for what a real ZooKeeper sends only in a narrow race or never (a malformed
// frame, a chosen answer): it shakes hands like one, then lets the test answer each request. The
// real-server tests cover everything else.

export interface ScriptedServer {
  readonly port: number;
  /** Settles once a client connection has closed. */
  readonly clientGone: Promise<void>;
  close(): void;
}

export interface ScriptOptions {
  /** The session timeout the handshake grants (asked again on each connection). Default 4000 ms. */
  readonly timeOut?: number | (() => number);
  readonly sessionId?: bigint;
}

/**
 * The answer to one request (its header read, `body` positioned after it), as the bytes to
 * write, or undefined to answer nothing.
 */
export type Script = (header: RequestHeader, body: JuteReader) => Buffer | undefined;

export async function scriptedServer(
  script: Script,
  options: ScriptOptions = {},
): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  let onGone: () => void = () => undefined;
  const clientGone = new Promise<void>((resolve) => (onGone = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const splitter = new FrameSplitter(1 << 20);
    let handshakeDone = false;
    socket.on('error', () => undefined);
    socket.on('close', onGone);
    socket.on('data', (chunk) => {
      splitter.push(chunk, (request) => {
        if (handshakeDone) {
          const body = new JuteReader(request);
          const reply = script(RequestHeader.read(body), body);
          if (reply !== undefined) socket.write(reply);
          return;
        }
        handshakeDone = true;
        socket.write(
          frame((w) => {
            ConnectResponse.write(w, {
              protocolVersion: 0,
              timeOut:
                typeof options.timeOut === 'function'
                  ? options.timeOut()
                  : (options.timeOut ?? 4000),
              sessionId: options.sessionId ?? 0x1234n,
              passwd: new Uint8Array(16).fill(7),
              readOnly: false,
            });
          }),
        );
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    clientGone,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** One length-prefixed frame of what `build` writes. */
export function frame(build: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter();
  const start = w.beginFrame();
  build(w);
  w.endFrame(start);
  return w.finish();
}
