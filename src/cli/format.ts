import type { Stat } from '../index.js';
import { UsageError } from './args.js';
import { DataError } from './define-command.js';

/** The Stat with its bigints as decimal strings, fields named as in the library. */
export function statJson(stat: Stat): Record<keyof Stat, string | number> {
  return {
    czxid: stat.czxid.toString(),
    mzxid: stat.mzxid.toString(),
    ctime: stat.ctime.toString(),
    mtime: stat.mtime.toString(),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: stat.ephemeralOwner.toString(),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
    pzxid: stat.pzxid.toString(),
  };
}

const hex = (value: bigint): string => `0x${value.toString(16)}`;
const isoTime = (ms: bigint): string => new Date(Number(ms)).toISOString();

/** Aligned `name  value` lines: zxids and the session id in hex, as ZooKeeper's logs show them. */
export function statText(stat: Stat): string {
  return aligned([
    ['czxid', hex(stat.czxid)],
    ['mzxid', hex(stat.mzxid)],
    ['pzxid', hex(stat.pzxid)],
    ['ctime', isoTime(stat.ctime)],
    ['mtime', isoTime(stat.mtime)],
    ['version', String(stat.version)],
    ['cversion', String(stat.cversion)],
    ['aversion', String(stat.aversion)],
    ['ephemeralOwner', stat.ephemeralOwner === 0n ? 'none' : hex(stat.ephemeralOwner)],
    ['dataLength', String(stat.dataLength)],
    ['numChildren', String(stat.numChildren)],
  ]);
}

/** Two columns, the first padded to its widest entry. */
export function aligned(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}\n`).join('');
}

export const DATA_FORMATS = ['text', 'json', 'hex', 'base64'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export function dataFormatFlag(text: string | undefined): DataFormat {
  if (text === undefined) return 'text';
  const format = DATA_FORMATS.find((name) => name === text);
  if (format === undefined) {
    throw new UsageError(
      `--format takes one of ${DATA_FORMATS.join(', ')}, got ${JSON.stringify(text)}`,
    );
  }
  return format;
}

function utf8(data: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new DataError(`the data of ${path} is not UTF-8 text; use --format hex or base64`);
  }
}

/** The data as the JSON output carries it: a string, or for `json` the parsed value (empty: null). */
export function dataJson(data: Buffer, format: DataFormat, path: string): unknown {
  switch (format) {
    case 'text':
      return utf8(data, path);
    case 'hex':
      return data.toString('hex');
    case 'base64':
      return data.toString('base64');
    case 'json': {
      if (data.length === 0) return null;
      try {
        return JSON.parse(utf8(data, path)) as unknown;
      } catch (error) {
        if (error instanceof DataError) throw error;
        throw new DataError(`the data of ${path} is not JSON; use --format text`);
      }
    }
  }
}

/** The data for a person or a pipe: `text` is the bytes as they are, the others end in a newline. */
export function dataText(data: Buffer, format: DataFormat, path: string): string | Buffer {
  if (format === 'text') return data;
  if (format === 'json') return `${JSON.stringify(dataJson(data, format, path), null, 2)}\n`;
  return `${String(dataJson(data, format, path))}\n`;
}
