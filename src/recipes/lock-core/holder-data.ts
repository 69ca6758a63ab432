import { hostname } from 'node:os';

/** What a lock node says about its holder by default: host, pid and an optional id, as JSON. */
export function holderData(id: string | undefined): string {
  return JSON.stringify(
    id === undefined
      ? { host: hostname(), pid: process.pid }
      : { host: hostname(), pid: process.pid, id },
  );
}
