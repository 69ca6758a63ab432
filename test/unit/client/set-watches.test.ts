import { describe, expect, it } from 'vitest';
import { OpCode } from '../../../src/protocol/index.js';
import { setWatchesBatches } from '../../../src/client/session/set-watches.js';

const none = { data: [], exist: [], child: [], persistent: [], recursive: [] };

describe('setWatchesBatches', () => {
  it('sends nothing when there is no watch', () => {
    expect(setWatchesBatches(none, 5n)).toEqual([]);
  });

  it('uses SetWatches (101) without persistent watches, SetWatches2 (105) with them', () => {
    const [oneShot] = setWatchesBatches({ ...none, data: ['/a'], child: ['/b'] }, 5n);
    expect(oneShot?.opcode).toBe(OpCode.setWatches);
    expect(oneShot?.body).toMatchObject({
      relativeZxid: 5n,
      dataWatches: ['/a'],
      childWatches: ['/b'],
    });
    const [mixed] = setWatchesBatches({ ...none, exist: ['/e'], recursive: ['/r'] }, 6n);
    expect(mixed?.opcode).toBe(OpCode.setWatches2);
    expect(mixed?.body).toMatchObject({
      existWatches: ['/e'],
      persistentWatches: [],
      persistentRecursiveWatches: ['/r'],
    });
  });

  it('splits at 128 K characters in the order data, exist, child, persistent, recursive', () => {
    const long = (name: string): string => `/${name}${'x'.repeat(64 * 1024)}`;
    const batches = setWatchesBatches(
      {
        data: [long('d')],
        exist: [long('e')],
        child: [],
        persistent: [long('p')],
        recursive: ['/r'],
      },
      1n,
    );
    expect(batches.map((batch) => batch.opcode)).toEqual([OpCode.setWatches, OpCode.setWatches2]);
    expect(batches[0]?.body).toMatchObject({ dataWatches: [long('d')], existWatches: [long('e')] });
    expect(batches[1]?.body).toMatchObject({
      dataWatches: [],
      persistentWatches: [long('p')],
      persistentRecursiveWatches: ['/r'],
    });
  });
});
