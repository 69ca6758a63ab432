import { FrameSplitter, JuteReader, ReplyHeader, RequestHeader, Xid } from '../protocol/index.js';

/** What the proxy forwarded from clients to the server since start or resetCounts(). */
export interface ClientToServerCounts {
  /** Every frame, ConnectRequests included. */
  frames: number;
  /** ConnectRequests: one per connection that got that far. */
  connects: number;
  /** Frames with a RequestHeader other than pings (xid -2) and auth (xid -4). */
  requests: number;
  pings: number;
  auth: number;
  /** Every RequestHeader by its type (pings are 11, auth 100, create2 15, …). */
  byOpcode: Record<number, number>;
}

/** What the proxy forwarded from the server to clients since start or resetCounts(). */
export interface ServerToClientCounts {
  /** Every frame, ConnectResponses included. */
  frames: number;
  connects: number;
  /** Frames with a ReplyHeader other than notifications, pings and auth. */
  replies: number;
  /** Watch events (xid -1). */
  notifications: number;
  /** Answers to pings (xid -2). */
  pings: number;
  /** Answers to auth packets (xid -4). */
  auth: number;
}

export interface WireCounts {
  clientToServer: ClientToServerCounts;
  serverToClient: ServerToClientCounts;
}

export function emptyCounts(): WireCounts {
  return {
    clientToServer: { frames: 0, connects: 0, requests: 0, pings: 0, auth: 0, byOpcode: {} },
    serverToClient: { frames: 0, connects: 0, replies: 0, notifications: 0, pings: 0, auth: 0 },
  };
}

export function copyCounts(counts: WireCounts): WireCounts {
  return {
    clientToServer: { ...counts.clientToServer, byOpcode: { ...counts.clientToServer.byOpcode } },
    serverToClient: { ...counts.serverToClient },
  };
}

/** Where a frame lies in the chunk that completed it; `start` is negative if it began earlier. */
interface Placement {
  readonly start: number;
  readonly end: number;
}

export type ClientFrame = Placement &
  ({ readonly kind: 'connect' } | { readonly kind: 'request'; readonly header: RequestHeader });

export type ServerFrame = Placement &
  ({ readonly kind: 'connect' } | { readonly kind: 'reply'; readonly header: ReplyHeader });

/**
 * Far above any ZooKeeper frame, yet below the "length" that a four-letter word's ASCII makes
 * (`srvr` reads as 1.9 GB): such a stream is recognised as unparseable at once.
 */
const MAX_FRAME = 64 * 1024 * 1024;

/**
 * Follows one direction of one connection, frame by frame, across arbitrary chunking. Once the
 * bytes stop making sense as frames (a four-letter word, garbage) it reports nothing more: the
 * proxy still forwards them, it just cannot count them.
 */
class StreamTap<F> {
  readonly #splitter = new FrameSplitter(MAX_FRAME);
  readonly #decode: (frame: Buffer, first: boolean) => F;
  /** Stream offset of the next chunk's first byte. */
  #pushed = 0;
  /** Stream offset just past the last complete frame. */
  #framesEnd = 0;
  #first = true;
  #broken = false;

  constructor(decode: (frame: Buffer, first: boolean) => F) {
    this.#decode = decode;
  }

  /** The frames `chunk` completes, in order. */
  frames(chunk: Buffer): (F & Placement)[] {
    const found: (F & Placement)[] = [];
    if (this.#broken) return found;
    const chunkStart = this.#pushed;
    this.#pushed += chunk.length;
    try {
      this.#splitter.push(chunk, (frame) => {
        // Frames tile the stream, so a frame's place follows from the sizes before it.
        const start = this.#framesEnd - chunkStart;
        this.#framesEnd += 4 + frame.length;
        const decoded = this.#decode(frame, this.#first);
        this.#first = false;
        found.push({ ...decoded, start, end: this.#framesEnd - chunkStart });
      });
    } catch {
      this.#broken = true;
    }
    return found;
  }
}

/** The first frame is a ConnectRequest (no header); every later one starts with a RequestHeader. */
export function clientTap(): StreamTap<
  { kind: 'connect' } | { kind: 'request'; header: RequestHeader }
> {
  return new StreamTap((frame, first) =>
    first
      ? { kind: 'connect' as const }
      : { kind: 'request' as const, header: RequestHeader.read(new JuteReader(frame)) },
  );
}

/** The first frame is a ConnectResponse (no header); every later one starts with a ReplyHeader. */
export function serverTap(): StreamTap<
  { kind: 'connect' } | { kind: 'reply'; header: ReplyHeader }
> {
  return new StreamTap((frame, first) =>
    first
      ? { kind: 'connect' as const }
      : { kind: 'reply' as const, header: ReplyHeader.read(new JuteReader(frame)) },
  );
}

export type ClientTap = ReturnType<typeof clientTap>;
export type ServerTap = ReturnType<typeof serverTap>;

export function countClientFrame(counts: ClientToServerCounts, frame: ClientFrame): void {
  counts.frames++;
  if (frame.kind === 'connect') {
    counts.connects++;
    return;
  }
  const { xid, type } = frame.header;
  counts.byOpcode[type] = (counts.byOpcode[type] ?? 0) + 1;
  if (xid === Xid.ping) counts.pings++;
  else if (xid === Xid.auth) counts.auth++;
  else counts.requests++;
}

export function countServerFrame(counts: ServerToClientCounts, frame: ServerFrame): void {
  counts.frames++;
  if (frame.kind === 'connect') {
    counts.connects++;
    return;
  }
  const { xid } = frame.header;
  if (xid === Xid.notification) counts.notifications++;
  else if (xid === Xid.ping) counts.pings++;
  else if (xid === Xid.auth) counts.auth++;
  else counts.replies++;
}
