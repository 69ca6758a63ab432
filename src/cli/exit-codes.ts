/** sysexits.h codes, fixed for scripts to test; docs/cli.md lists what each command means by them. */
export const Exit = {
  ok: 0,
  /** EX_DATAERR: the server refused the change (node exists, bad version, not empty, …). */
  dataError: 65,
  /** EX_NOINPUT: the node does not exist. */
  noNode: 66,
  usage: 64,
  unavailable: 69,
  software: 70,
  holdLost: 75,
  notAcquired: 76,
  noPermission: 77,
} as const;
