/** Reserved xids; ordinary requests use 1 … 2^31-1. */
export const Xid = {
  /** Server → client watch notification. */
  notification: -1,
  ping: -2,
  /** AuthPacket; its reply may overtake earlier replies. */
  auth: -4,
  /** SetWatches/SetWatches2 as the C client sends them; the server echoes any xid. */
  setWatches: -8,
} as const;

export type Xid = (typeof Xid)[keyof typeof Xid];
