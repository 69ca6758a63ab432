import { describe, expect, it } from 'vitest';
import { SequenceWrappedError } from '../../../src/recipes/coordination/errors.js';
import {
  protectedPrefix,
  queueOrder,
  sequenceOf,
  unwrappedQueue,
} from '../../../src/recipes/coordination/node-names.js';

const markers = ['lock-', '__lock__'];

describe('sequenceOf', () => {
  it('reads the number after the marker, sign included, as Curator does', () => {
    expect(sequenceOf('_c_6b1f1f0e-3f5a-4c39-9d1c-1a2b3c4d5e6f-lock-0000000042', markers)).toBe(42);
    expect(sequenceOf('lock-0000000000', markers)).toBe(0);
    expect(sequenceOf('_c_x-lock--2147483648', markers)).toBe(-2147483648);
    expect(sequenceOf('8c1e7c0a9f1e4c2b__lock__0000000007', markers)).toBe(7);
  });

  it('reads every suffix Java’s %010d writes for an int, width 10 including the sign', () => {
    const written: [string, number][] = [
      ['0000000000', 0],
      ['0000000001', 1],
      ['2147483647', 2147483647],
      ['-000000001', -1],
      ['-000000005', -5],
      ['-999999999', -999999999],
      ['-1000000000', -1000000000],
      ['-2147483648', -2147483648],
    ];
    for (const [suffix, sequence] of written) {
      expect(sequenceOf(`_c_x-lock-${suffix}`, markers)).toBe(sequence);
      expect(sequenceOf(`kazooid__lock__${suffix}`, markers)).toBe(sequence);
    }
  });

  it('ignores names that are not this lock’s queue nodes', () => {
    for (const name of [
      'lease-0000000001',
      'lock-12',
      'lock-00000000001',
      'lock-000000000x',
      'other',
      // Suffixes %010d never writes: too wide or narrow for the sign, past an int, a negative zero.
      'lock--0000000005',
      'lock--00000005',
      'lock--0999999999',
      'lock-2147483648',
      'lock--2147483649',
      'lock--9999999999',
      'lock--000000000',
      'lock-+000000005',
      'lock- 000000005',
    ]) {
      expect(sequenceOf(name, markers)).toBeUndefined();
    }
  });
});

describe('queueOrder', () => {
  it('orders by sequence whatever the prefix, mixing Curator and kazoo nodes', () => {
    const children = [
      '_c_bbbb-lock-0000000003',
      'kazooid__lock__0000000001',
      'not-a-lock',
      '_c_aaaa-lock-0000000002',
    ];
    expect(queueOrder(children, markers).map((p) => p.sequence)).toEqual([1, 2, 3]);
  });

  it('puts wrapped (negative) numbers after the others, in the order they were created', () => {
    const children = [
      'lock--000000001',
      'lock--2147483648',
      'lock-2147483647',
      'lock--999999999',
      'lock-2147483646',
      'lock--1000000000',
    ];
    expect(queueOrder(children, markers).map((p) => p.sequence)).toEqual([
      2147483646, 2147483647, -2147483648, -1000000000, -999999999, -1,
    ]);
  });
});

describe('unwrappedQueue', () => {
  it('is the queue in order while every number is below the last one', () => {
    const children = ['lock-2147483646', 'other', '_c_a-lock-0000000000', 'k__lock__2147483645'];
    expect(unwrappedQueue('/locks/a', children, markers)).toEqual([
      { name: '_c_a-lock-0000000000', sequence: 0 },
      { name: 'k__lock__2147483645', sequence: 2147483645 },
      { name: 'lock-2147483646', sequence: 2147483646 },
    ]);
  });

  it('refuses a queue with a node at the last number or past it, naming the path and the node', () => {
    for (const wrapped of [
      '_c_b-lock-2147483647',
      '_c_b-lock--2147483648',
      'k__lock__-000000005',
      'lock--999999999',
    ]) {
      const children = ['_c_a-lock-2147483646', wrapped];
      let thrown: unknown;
      try {
        unwrappedQueue('/locks/a', children, markers);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SequenceWrappedError);
      expect(thrown).toMatchObject({
        code: 'LOCK_SEQUENCE_WRAPPED',
        path: '/locks/a',
        node: wrapped,
      });
      expect((thrown as Error).message).toMatch(/delete the node \/locks\/a and create it again/);
    }
  });

  it('refuses our own node alone when it is at the last number or past it', () => {
    for (const ours of ['_c_a-lock--000000001', '_c_a-lock-2147483647']) {
      expect(() => unwrappedQueue('/l', [ours], markers)).toThrow(SequenceWrappedError);
    }
    expect(unwrappedQueue('/l', ['_c_a-lock-2147483646'], markers)).toHaveLength(1);
  });
});

describe('protectedPrefix', () => {
  it('is Curator’s _c_<uuid>- and fresh every time', () => {
    const a = protectedPrefix();
    expect(a).toMatch(/^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-$/);
    expect(protectedPrefix()).not.toBe(a);
  });
});
