import { OpCode, SetWatches, SetWatches2 } from '../../protocol/index.js';
import type { RecordCodec } from '../../protocol/index.js';
import { Request } from './request.js';
import type { ReplyHook } from './request.js';
import type { PersistentKind, WatchKind, WatchRegistry } from '../watches/watch-registry.js';

/** What the Java client puts in one SetWatches request at most (`SET_WATCHES_MAX_LENGTH`, in chars). */
const SET_WATCHES_MAX_CHARS = 128 * 1024;

type ListName =
  | 'dataWatches'
  | 'existWatches'
  | 'childWatches'
  | 'persistentWatches'
  | 'persistentRecursiveWatches';

const order: readonly (readonly [WatchKind | PersistentKind, ListName])[] = [
  ['data', 'dataWatches'],
  ['exist', 'existWatches'],
  ['child', 'childWatches'],
  ['persistent', 'persistentWatches'],
  ['recursive', 'persistentRecursiveWatches'],
];

/** One re-registration request: SetWatches (101), or SetWatches2 (105) when it carries persistent watches. */
export type SetWatchesBatch =
  | {
      readonly opcode: typeof OpCode.setWatches;
      readonly codec: RecordCodec<SetWatches>;
      readonly body: SetWatches;
    }
  | {
      readonly opcode: typeof OpCode.setWatches2;
      readonly codec: RecordCodec<SetWatches2>;
      readonly body: SetWatches2;
    };

/**
 * The requests that re-register every watch after a reconnect: filled in the order data, exist,
 * child, persistent, recursive until their paths reach 128 K characters (the last path may
 * overshoot), as the Java client batches them. A batch without persistent watches goes as
 * SetWatches, which servers before 3.6 also understand.
 */
export function setWatchesBatches(
  paths: Readonly<Record<WatchKind | PersistentKind, readonly string[]>>,
  relativeZxid: bigint,
): SetWatchesBatch[] {
  const batches: SetWatchesBatch[] = [];
  let batch = empty(relativeZxid);
  let chars = 0;
  for (const [kind, list] of order) {
    for (const path of paths[kind]) {
      batch[list].push(path);
      chars += path.length;
      if (chars >= SET_WATCHES_MAX_CHARS) {
        batches.push(finish(batch));
        batch = empty(relativeZxid);
        chars = 0;
      }
    }
  }
  if (chars > 0) batches.push(finish(batch));
  return batches;
}

type Batch = { relativeZxid: bigint } & Record<ListName, string[]>;

function empty(relativeZxid: bigint): Batch {
  return {
    relativeZxid,
    dataWatches: [],
    existWatches: [],
    childWatches: [],
    persistentWatches: [],
    persistentRecursiveWatches: [],
  };
}

function finish(batch: Batch): SetWatchesBatch {
  const persistent = batch.persistentWatches.length + batch.persistentRecursiveWatches.length > 0;
  return persistent
    ? { opcode: OpCode.setWatches2, codec: SetWatches2, body: batch }
    : { opcode: OpCode.setWatches, codec: SetWatches, body: batch };
}

/**
 * The requests that re-register `watches` on a new connection. Persistent watchers learn they
 * are back (and must re-read) once the last batch is answered.
 */
export function setWatchesRequests(
  watches: WatchRegistry,
  relativeZxid: bigint,
  nextXid: () => number,
): (SetWatchesBatch & { readonly request: Request })[] {
  const batches = setWatchesBatches(watches.paths(), relativeZxid);
  return batches.map((batch, i) => {
    const resumed: ReplyHook | undefined =
      i === batches.length - 1
        ? (err) => {
            if (err === 0) watches.resumeAll();
          }
        : undefined;
    return {
      ...batch,
      request: new Request(nextXid(), batch.opcode, undefined, null, noop, noop, resumed),
    };
  });
}

function noop(): void {
  // The outcome of a re-registration is not awaited by anyone.
}
