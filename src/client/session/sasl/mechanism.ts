/**
 * One side of a SASL exchange, driven by whoever carries the tokens (for ZooKeeper: GetSASLRequest
 * and SetSASLResponse records). Implementations throw AuthFailedError when the server's tokens
 * are malformed or do not prove the server knows the secret.
 */
export interface SaslMechanism {
  /** The first token to send. Empty for mechanisms that wait for the server's challenge. */
  initialResponse(): Uint8Array;
  /** The answer to the server's token, or undefined when nothing more is to be sent. */
  evaluateChallenge(challenge: Uint8Array): Uint8Array | undefined;
  /** True once the server's last token was checked and the exchange succeeded. */
  readonly complete: boolean;
}
