import { describe, expect, it } from 'vitest';
import { EventType } from '../../../src/protocol/index.js';
import { WatchRegistry } from '../../../src/client/watch-registry.js';
import type { RawWatchEvent, WatchKind } from '../../../src/client/watch-registry.js';

function recorder(registry: WatchRegistry, kind: WatchKind, path: string): RawWatchEvent[] {
  const seen: RawWatchEvent[] = [];
  registry.add(kind, path, (event) => seen.push(event));
  return seen;
}

describe('WatchRegistry', () => {
  it('fans one event out to every listener of the tables it empties, once', () => {
    const registry = new WatchRegistry();
    const data = recorder(registry, 'data', '/a');
    const exist = recorder(registry, 'exist', '/a');
    const child = recorder(registry, 'child', '/a');
    registry.dispatch(EventType.NodeDataChanged, '/a', -1n);
    registry.dispatch(EventType.NodeDataChanged, '/a', -1n);
    expect(data).toHaveLength(1);
    expect(exist).toHaveLength(1);
    expect(child).toHaveLength(0);
    expect(registry.paths()).toEqual({ data: [], exist: [], child: ['/a'] });
  });

  it('routes each event type to the tables the Java client uses', () => {
    const cases: [number, WatchKind[]][] = [
      [EventType.NodeCreated, ['data', 'exist']],
      [EventType.NodeDataChanged, ['data', 'exist']],
      [EventType.NodeChildrenChanged, ['child']],
      [EventType.NodeDeleted, ['data', 'exist', 'child']],
    ];
    for (const [type, kinds] of cases) {
      const registry = new WatchRegistry();
      const fired = new Set<WatchKind>();
      for (const kind of ['data', 'exist', 'child'] as const) {
        registry.add(kind, '/n', () => fired.add(kind));
      }
      registry.dispatch(type, '/n', -1n);
      expect([...fired].sort()).toEqual([...kinds].sort());
    }
  });

  it('ignores events for other paths and unknown types', () => {
    const registry = new WatchRegistry();
    const data = recorder(registry, 'data', '/a');
    registry.dispatch(EventType.NodeDataChanged, '/b', -1n);
    registry.dispatch(EventType.None, '/a', -1n);
    expect(data).toHaveLength(0);
    expect(registry.size).toBe(1);
  });

  it('settles every watch with a loss event when the session ends', () => {
    const registry = new WatchRegistry();
    const data = recorder(registry, 'data', '/a');
    const child = recorder(registry, 'child', '/b');
    registry.failAll('closed');
    expect(data).toEqual([{ kind: 'lost', reason: 'closed', serverPath: '/a' }]);
    expect(child).toEqual([{ kind: 'lost', reason: 'closed', serverPath: '/b' }]);
    expect(registry.size).toBe(0);
  });
});
