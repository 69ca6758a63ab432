import { describe, expect, it } from 'vitest';
import { EventType } from '../../../src/protocol/index.js';
import { WatchRegistry } from '../../../src/client/watches/watch-registry.js';
import type {
  PersistentKind,
  RawWatchEvent,
  WatchKind,
} from '../../../src/client/watches/watch-registry.js';

function recorder(
  registry: WatchRegistry,
  kind: WatchKind | PersistentKind,
  path: string,
): RawWatchEvent[] {
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
    expect(registry.paths()).toEqual({
      data: [],
      exist: [],
      child: ['/a'],
      persistent: [],
      recursive: [],
    });
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

describe('WatchRegistry: persistent watches', () => {
  it('a persistent listener gets every event type for its path and stays', () => {
    const registry = new WatchRegistry();
    const seen = recorder(registry, 'persistent', '/a');
    for (const type of [
      EventType.NodeCreated,
      EventType.NodeDataChanged,
      EventType.NodeChildrenChanged,
      EventType.NodeDeleted,
    ]) {
      registry.dispatch(type, '/a', 7n);
    }
    registry.dispatch(EventType.NodeCreated, '/a/b', 8n);
    registry.dispatch(EventType.None, '/a', -1n);
    expect(seen.map((event) => (event.kind === 'event' ? event.type : event.kind))).toEqual([
      EventType.NodeCreated,
      EventType.NodeDataChanged,
      EventType.NodeChildrenChanged,
      EventType.NodeDeleted,
    ]);
    expect(registry.paths().persistent).toEqual(['/a']);
  });

  it('a recursive listener gets events for its path and descendants, never child-list changes', () => {
    const registry = new WatchRegistry();
    const root = recorder(registry, 'recursive', '/');
    const sub = recorder(registry, 'recursive', '/a');
    const paths = (events: RawWatchEvent[]): string[] => events.map((event) => event.serverPath);
    registry.dispatch(EventType.NodeCreated, '/a', 1n);
    registry.dispatch(EventType.NodeDataChanged, '/a/b/c', 2n);
    registry.dispatch(EventType.NodeDeleted, '/ab', 3n);
    registry.dispatch(EventType.NodeChildrenChanged, '/a', 4n);
    expect(paths(root)).toEqual(['/a', '/a/b/c', '/ab']);
    expect(paths(sub)).toEqual(['/a', '/a/b/c']);
  });

  it('one notification reaches a listener once, whatever tables it matched', () => {
    const registry = new WatchRegistry();
    const seen: RawWatchEvent[] = [];
    const listener = (event: RawWatchEvent): void => {
      seen.push(event);
    };
    registry.add('data', '/a', listener);
    registry.add('persistent', '/a', listener);
    registry.add('recursive', '/', listener);
    registry.dispatch(EventType.NodeDataChanged, '/a', 1n);
    expect(seen).toHaveLength(1);
  });

  it('remove says when the last listener of a path and kind is gone', () => {
    const registry = new WatchRegistry();
    const first = (): void => undefined;
    const second = (): void => undefined;
    registry.add('persistent', '/a', first);
    registry.add('persistent', '/a', second);
    expect(registry.remove('persistent', '/a', first)).toBe(false);
    expect(registry.remove('recursive', '/a', second)).toBe(false);
    expect(registry.hasAnyAt('/a')).toBe(true);
    expect(registry.remove('persistent', '/a', second)).toBe(true);
    expect(registry.remove('persistent', '/a', second)).toBe(false);
    expect(registry.hasAnyAt('/a')).toBe(false);
  });

  it('end() settles the chosen tables of one path; resumeAll() tells persistent listeners', () => {
    const registry = new WatchRegistry();
    const data = recorder(registry, 'data', '/a');
    const child = recorder(registry, 'child', '/a');
    const tree = recorder(registry, 'recursive', '/a');
    registry.resumeAll();
    registry.end(['data', 'exist'], '/a', 'removed');
    expect(data).toEqual([{ kind: 'lost', reason: 'removed', serverPath: '/a' }]);
    expect(child).toEqual([]);
    expect(tree).toEqual([{ kind: 'resumed', serverPath: '/a' }]);
    expect(registry.paths()).toMatchObject({ data: [], child: ['/a'], recursive: ['/a'] });
  });
});
