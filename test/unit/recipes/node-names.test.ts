import { describe, expect, it } from 'vitest';
import {
  protectedPrefix,
  queueOrder,
  sequenceOf,
} from '../../../src/recipes/internal/node-names.js';

const markers = ['lock-', '__lock__'];

describe('sequenceOf', () => {
  it('reads the number after the marker, sign included, as Curator does', () => {
    expect(sequenceOf('_c_6b1f1f0e-3f5a-4c39-9d1c-1a2b3c4d5e6f-lock-0000000042', markers)).toBe(42);
    expect(sequenceOf('lock-0000000000', markers)).toBe(0);
    expect(sequenceOf('_c_x-lock--2147483648', markers)).toBe(-2147483648);
    expect(sequenceOf('8c1e7c0a9f1e4c2b__lock__0000000007', markers)).toBe(7);
  });

  it('ignores names that are not this lock’s queue nodes', () => {
    for (const name of [
      'lease-0000000001',
      'lock-12',
      'lock-00000000001',
      'lock-000000000x',
      'other',
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
});

describe('protectedPrefix', () => {
  it('is Curator’s _c_<uuid>- and fresh every time', () => {
    const a = protectedPrefix();
    expect(a).toMatch(/^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-$/);
    expect(protectedPrefix()).not.toBe(a);
  });
});
