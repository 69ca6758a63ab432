export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** `host:port` (IPv6 hosts in brackets) or an object, checked; `what` names it in the error. */
export function parseHostPort(value: string | HostPort, what: string): HostPort {
  let host: string;
  let port: number;
  if (typeof value === 'string') {
    const colon = value.lastIndexOf(':');
    host = colon <= 0 ? '' : value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    port = Number(value.slice(colon + 1));
  } else {
    ({ host, port } = value);
  }
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`${what} must be 'host:port', got ${JSON.stringify(value)}`);
  }
  return { host, port };
}
