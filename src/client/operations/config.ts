import { GetDataResponse, OpCode, ReconfigRequest } from '../../protocol/index.js';
import type { Stat } from '../../protocol/index.js';
import { Chroot } from '../chroot.js';
import { InvalidArgumentError } from '../errors.js';
import { ConfigFormatError, parseConfig, parseServerLine } from '../quorum-config.js';
import type { ParsedConfig } from '../quorum-config.js';
import type { Watched, WatchOptions } from '../types.js';
import { asBuffer } from '../values.js';
import { watchFor } from '../watches/watch-promise.js';
import type { OpContext } from './context.js';
import { call } from './call.js';

// The bodies of the ZooKeeper class's getConfig and reconfig; their contracts are documented there.

/** Where the server keeps the ensemble's configuration (`ZooDefs.CONFIG_NODE`). */
export const CONFIG_NODE = '/zookeeper/config';

/** The configuration node is outside every chroot: neither its path nor its events are mapped. */
const NO_CHROOT = new Chroot('');

export interface ConfigResult {
  /** The configuration text as stored. */
  readonly data: Buffer;
  readonly stat: Stat;
  readonly config: ParsedConfig;
}

/**
 * A membership change. Incremental: `joining` (`server.N=…` lines, as an array or one
 * comma-separated string) and/or `leaving` (server ids). Non-incremental: `members`, the whole new
 * membership. `fromConfig` is the config version the change is based on (-1n, the default, = any).
 */
export type ReconfigChange = (
  | {
      readonly joining?: readonly string[] | string;
      readonly leaving?: readonly (number | string)[];
      readonly members?: never;
    }
  | {
      readonly members: readonly string[] | string;
      readonly joining?: never;
      readonly leaving?: never;
    }
) & { readonly fromConfig?: bigint };

export async function getConfig(
  ctx: OpContext,
  options: WatchOptions,
): Promise<ConfigResult | (ConfigResult & Watched)> {
  const watch =
    options.watch === true
      ? watchFor(ctx.session.watches, NO_CHROOT, CONFIG_NODE, options.signal)
      : undefined;
  const reply = await call(
    ctx.session,
    OpCode.getData,
    CONFIG_NODE,
    { path: CONFIG_NODE, watch: watch !== undefined },
    watch?.registerOnSuccess('data'),
  );
  const result = toResult(reply);
  return watch === undefined ? result : { ...result, watch: watch.promise };
}

export async function reconfig(ctx: OpContext, change: ReconfigChange): Promise<ConfigResult> {
  const request = reconfigRequest(change);
  const reply = await call(ctx.session, OpCode.reconfig, CONFIG_NODE, request);
  return toResult(reply);
}

function toResult(reply: GetDataResponse): ConfigResult {
  const data = asBuffer(reply.data);
  return { data, stat: reply.stat, config: parseConfig(data.toString('utf8')) };
}

const MIN_CONFIG_ID = -1n;
const MAX_LONG = 2n ** 63n - 1n;

/**
 * The ReconfigRequest for a change, checked as far as the server's format goes so that a typo is
 * refused (InvalidArgumentError) before anything is sent.
 */
export function reconfigRequest(change: unknown): ReconfigRequest {
  if (typeof change !== 'object' || change === null) {
    throw new InvalidArgumentError('reconfig needs { joining?, leaving? } or { members }');
  }
  const { joining, leaving, members, fromConfig } = change as Record<string, unknown>;
  const curConfigId = configId(fromConfig);
  if (members !== undefined) {
    if (joining !== undefined || leaving !== undefined) {
      throw new InvalidArgumentError(
        'reconfig takes either members (non-incremental) or joining/leaving (incremental)',
      );
    }
    const lines = serverLines(members, 'members');
    if (lines.length === 0) throw new InvalidArgumentError('reconfig members must not be empty');
    return { joiningServers: null, leavingServers: null, newMembers: lines.join(','), curConfigId };
  }
  const joiningLines = joining === undefined ? [] : serverLines(joining, 'joining');
  for (const line of joiningLines) {
    // The server refuses a joiner without client address: clients could not find it.
    if (parseServerLine(line).clientPort === undefined) {
      throw new InvalidArgumentError(`a joining server needs a client port (;host:port): ${line}`);
    }
  }
  const leavingIds = leaving === undefined ? [] : serverIds(leaving);
  if (joiningLines.length === 0 && leavingIds.length === 0) {
    throw new InvalidArgumentError('reconfig needs at least one joining or leaving server');
  }
  return {
    joiningServers: joiningLines.length === 0 ? null : joiningLines.join(','),
    leavingServers: leavingIds.length === 0 ? null : leavingIds.join(','),
    newMembers: null,
    curConfigId,
  };
}

function configId(value: unknown): bigint {
  if (value === undefined) return -1n;
  if (typeof value === 'bigint' && value >= MIN_CONFIG_ID && value <= MAX_LONG) return value;
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value;
  throw new InvalidArgumentError(
    `reconfig fromConfig must be a config version (bigint) or -1n, got ${shown}`,
  );
}

/** `server.N=spec` lines; the server splits its strings at commas, so a string may hold several. */
function serverLines(value: unknown, name: string): string[] {
  const items: unknown[] = typeof value === 'string' ? value.split(',') : toArray(value, name);
  return items.map((item) => {
    if (typeof item !== 'string' || /[,\r\n]/.test(item)) {
      throw new InvalidArgumentError(`reconfig ${name} entries must be single server.N=… lines`);
    }
    const line = item.trim();
    try {
      parseServerLine(line);
    } catch (error) {
      if (!(error instanceof ConfigFormatError)) throw error;
      throw new InvalidArgumentError(`reconfig ${name}: ${error.message}`, { cause: error });
    }
    return line;
  });
}

function serverIds(value: unknown): string[] {
  return toArray(value, 'leaving').map((id) => {
    const text = typeof id === 'number' ? String(id) : id;
    if (typeof text !== 'string' || !/^\d{1,18}$/.test(text)) {
      throw new InvalidArgumentError(
        `reconfig leaving entries must be server ids (non-negative integers), got ${String(id)}`,
      );
    }
    return text;
  });
}

function toArray(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(`reconfig ${name} must be an array`);
  return value as unknown[];
}
