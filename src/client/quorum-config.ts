import { ZkCoordError } from '../protocol/index.js';

/** One `server.N` line of an ensemble's configuration. */
export interface ConfigMember {
  /** The server id (`myid`). */
  readonly id: number;
  /** Host of the quorum and election ports; an IPv6 address without its brackets. */
  readonly host: string;
  /** The port followers connect to the leader on. */
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly role: 'participant' | 'observer';
  /** Where the member serves clients, when the line names it (`;host:port`); brackets stripped. */
  readonly clientAddress?: string;
  readonly clientPort?: number;
  /**
   * Everything after `server.N=`, as the server wrote it, e.g. to add the member back later with
   * `reconfig({ joining: [`server.${m.id}=${m.spec}`] })`.
   */
  readonly spec: string;
}

/** The text of `/zookeeper/config`, parsed. */
export interface ParsedConfig {
  /**
   * The configuration's version (the zxid that committed it; hex in the text), the id to pass as
   * `fromConfig` to reconfig. 0n when the text has no version line, as on a standalone server.
   */
  readonly version: bigint;
  /** In the order of the text (the server writes them by id). */
  readonly members: readonly ConfigMember[];
  /** Every non-empty line of the text, as it was, including ones not parsed into members. */
  readonly lines: readonly string[];
}

/** A configuration text, or a `server.N` line given to reconfig, that is not in the server's format. */
export class ConfigFormatError extends ZkCoordError {
  declare readonly code: 'CONFIG_FORMAT';
  constructor(message: string) {
    super('CONFIG_FORMAT', message);
  }
}

const SERVER_KEY = /^server\.(\d+)$/;
const MAX_PORT = 65_535;

/**
 * Parses a configuration as the server writes it (`QuorumMaj.toString`): `server.N=<spec>` lines
 * and a `version=<hex>` line. Other keys (hierarchical quorums' `group`/`weight`) are kept in
 * `lines` only. Throws ConfigFormatError for a server line or version it cannot read, rather than
 * leaving a member out.
 */
export function parseConfig(text: string): ParsedConfig {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const members: ConfigMember[] = [];
  let version = 0n;
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq < 0) throw new ConfigFormatError(`config line without "=": ${line}`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'version') {
      if (!/^[0-9a-fA-F]{1,16}$/.test(value)) {
        throw new ConfigFormatError(`config version is not hexadecimal: ${line}`);
      }
      version = BigInt(`0x${value}`);
    } else if (key.startsWith('server.')) {
      members.push(parseServerLine(line));
    }
  }
  return { version, members, lines };
}

/**
 * Parses one `server.N=host:quorumPort:electionPort[:role][;[clientHost:]clientPort]` line. Of
 * several `|`-separated quorum addresses (3.6+), the first is reported; `spec` keeps them all.
 */
export function parseServerLine(line: string): ConfigMember {
  const eq = line.indexOf('=');
  const key = eq < 0 ? '' : line.slice(0, eq).trim();
  const idText = SERVER_KEY.exec(key)?.[1];
  if (idText === undefined) throw new ConfigFormatError(`not a server.N=… line: ${line}`);
  const id = Number(idText);
  if (!Number.isSafeInteger(id)) throw new ConfigFormatError(`server id out of range: ${line}`);
  const spec = line.slice(eq + 1).trim();
  const [serverPart = '', clientPart, ...secure] = spec.split(';');
  // The client part may be followed by a secure client address, which is kept in spec only.
  if (secure.length > 1) throw new ConfigFormatError(`too many ";" parts: ${line}`);
  const { host, ports, role } = parseServerPart(serverPart, line);
  const [quorumPort, electionPort] = ports;
  return {
    id,
    host,
    quorumPort,
    electionPort,
    role,
    ...(clientPart === undefined || clientPart.trim() === ''
      ? {}
      : parseClientPart(clientPart.trim(), line)),
    spec,
  };
}

function parseServerPart(
  part: string,
  line: string,
): { host: string; ports: [number, number]; role: ConfigMember['role'] } {
  let first: { host: string; ports: [number, number] } | undefined;
  let role: ConfigMember['role'] | undefined;
  // Several `|`-separated addresses (3.6+); the server writes the role after the last one, and
  // reads the first role it finds.
  for (const address of part.split('|')) {
    const { host, rest } = splitHost(address.trim(), line);
    const [quorum, election, type, ...extra] = rest.split(':');
    if (quorum === undefined || election === undefined || extra.length > 0) {
      throw new ConfigFormatError(`server line needs host:quorumPort:electionPort[:role]: ${line}`);
    }
    if (type !== undefined) {
      const lower = type.trim().toLowerCase();
      if (lower !== 'participant' && lower !== 'observer') {
        throw new ConfigFormatError(`unknown role "${type}": ${line}`);
      }
      role ??= lower;
    }
    const ports: [number, number] = [port(quorum, line), port(election, line)];
    first ??= { host, ports };
  }
  if (first === undefined) throw new ConfigFormatError(`server line without address: ${line}`);
  return { ...first, role: role ?? 'participant' };
}

function parseClientPart(
  part: string,
  line: string,
): { clientAddress?: string; clientPort: number } {
  // `;2181` alone means every interface; the server then writes `0.0.0.0:2181`.
  if (/^\d+$/.test(part)) return { clientPort: port(part, line) };
  const { host, rest } = splitHost(part, line);
  return { clientAddress: host, clientPort: port(rest, line) };
}

/** Splits `host:rest` or `[v6]:rest`; the host comes back without brackets. */
function splitHost(text: string, line: string): { host: string; rest: string } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') {
      throw new ConfigFormatError(`bad bracketed IPv6 address: ${line}`);
    }
    return { host: text.slice(1, close), rest: text.slice(close + 2) };
  }
  const colon = text.indexOf(':');
  if (colon <= 0) throw new ConfigFormatError(`missing host or port: ${line}`);
  return { host: text.slice(0, colon), rest: text.slice(colon + 1) };
}

function port(text: string, line: string): number {
  const value = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(value >= 1 && value <= MAX_PORT)) {
    throw new ConfigFormatError(`bad port "${text}": ${line}`);
  }
  return value;
}
