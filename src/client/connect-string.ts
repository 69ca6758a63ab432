import { InvalidArgumentError } from './errors.js';
import { validatePath } from './path.js';

export interface HostAddress {
  readonly host: string;
  readonly port: number;
}

export interface ParsedConnectString {
  readonly hosts: readonly HostAddress[];
  /** The chroot, or '' when none (a lone `/` also means none). */
  readonly chroot: string;
}

const DEFAULT_PORT = 2181;

/**
 * Parses `host:port,host:port/chroot`. IPv6 hosts are written in brackets (`[::1]:2181`), as the
 * Java client's ConnectStringParser accepts them.
 */
export function parseConnectString(connectString: string): ParsedConnectString {
  if (typeof connectString !== 'string' || connectString.trim() === '') {
    throw new InvalidArgumentError(
      'connect string must be a non-empty string like "127.0.0.1:2181"',
    );
  }
  const slash = connectString.indexOf('/');
  const hostPart = slash === -1 ? connectString : connectString.slice(0, slash);
  let chroot = slash === -1 ? '' : connectString.slice(slash);
  if (chroot === '/') chroot = '';
  if (chroot !== '') validatePath(chroot);
  const hosts = hostPart
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseHost);
  if (hosts.length === 0) {
    throw new InvalidArgumentError(`connect string ${JSON.stringify(connectString)} names no host`);
  }
  return { hosts, chroot };
}

function parseHost(entry: string): HostAddress {
  let host: string;
  let portText: string | undefined;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close === -1) throw new InvalidArgumentError(`unterminated IPv6 address in ${entry}`);
    host = entry.slice(1, close);
    const rest = entry.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) {
      throw new InvalidArgumentError(`unexpected text after IPv6 address in ${entry}`);
    }
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = entry.lastIndexOf(':');
    host = colon === -1 ? entry : entry.slice(0, colon);
    portText = colon === -1 ? undefined : entry.slice(colon + 1);
  }
  if (host === '') throw new InvalidArgumentError(`missing host in ${JSON.stringify(entry)}`);
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`invalid port in ${JSON.stringify(entry)}`);
  }
  return { host, port };
}
