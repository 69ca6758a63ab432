import type { Buffer } from 'node:buffer';
import { expect, it } from 'vitest';
import { JuteReader, JuteWriter } from '../../../src/protocol/index.js';
import type { RecordCodec } from '../../../src/protocol/index.js';

export function encode<T>(codec: RecordCodec<T>, value: T): Buffer {
  const w = new JuteWriter();
  codec.write(w, value);
  return w.finish();
}

/** Decodes and checks that the codec consumed every byte. */
export function decode<T>(codec: RecordCodec<T>, bytes: Uint8Array): T {
  const r = new JuteReader(bytes);
  const value = codec.read(r);
  expect(r.remaining).toBe(0);
  return value;
}

export interface CodecCase {
  readonly name: string;
  run(): void;
}

/** One wire fact, checked in both directions: value → bytes and bytes → value. */
export function wire<T>(name: string, codec: RecordCodec<T>, value: T, bytes: Buffer): CodecCase {
  return {
    name,
    run() {
      expect(encode(codec, value)).toEqual(bytes);
      expect(decode(codec, bytes)).toEqual(value);
    },
  };
}

export function checkCases(cases: readonly CodecCase[]): void {
  for (const c of cases)
    it(c.name, () => {
      c.run();
    });
}
