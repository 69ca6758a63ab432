import type { UpstreamRewriter } from './proxy-link.js';

/**
 * A member that opens an election connection first sends a header: a negative protocol version
 * (8 bytes), its id (8), then the length (4) and text of the address it listens on for elections
 * (`host:port`, several joined by `|` with multi-address). Positive first 8 bytes are an id alone,
 * from servers older than the header.
 */
const FIXED = 8 + 8 + 4;
/** Far above `host:port`, so a longer one means these bytes are not the header after all. */
const MAX_ADDRESS = 1024;

/**
 * Replaces the advertised address in an election connection's header with `address`, and passes
 * everything else, before and after, untouched.
 *
 * The advertised address matters because a member that receives a connection from a member with
 * a lower id closes it and connects back to the address in the header, not to the one its own
 * zoo.cfg gives. The sender advertises the port it listens on itself, so without this the link
 * back would bypass the proxies that zoo.cfg routes everything else through.
 */
export function advertiseElectionAddress(address: string): UpstreamRewriter {
  const replacement = Buffer.from(address, 'latin1');
  let pending: Buffer = Buffer.alloc(0);
  let done = false;
  return (chunk) => {
    if (done) return chunk;
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (pending.length < 8) return Buffer.alloc(0);
    if (pending.readBigInt64BE(0) >= 0n) return finish();
    if (pending.length < FIXED) return Buffer.alloc(0);
    const length = pending.readInt32BE(16);
    if (length <= 0 || length > MAX_ADDRESS) return finish();
    if (pending.length < FIXED + length) return Buffer.alloc(0);
    const header = Buffer.alloc(FIXED);
    pending.copy(header, 0, 0, 16);
    header.writeInt32BE(replacement.length, 16);
    const rest = pending.subarray(FIXED + length);
    done = true;
    pending = Buffer.alloc(0);
    return Buffer.concat([header, replacement, rest]);
  };

  function finish(): Buffer {
    const all = pending;
    done = true;
    pending = Buffer.alloc(0);
    return all;
  }
}
