import type { SetWatches } from '../protocol/index.js';
import type { WatchKind } from './watch-registry.js';

/** What the Java client puts in one SetWatches request at most (`SET_WATCHES_MAX_LENGTH`, in chars). */
const SET_WATCHES_MAX_CHARS = 128 * 1024;

const listOf: Readonly<Record<WatchKind, 'dataWatches' | 'existWatches' | 'childWatches'>> = {
  data: 'dataWatches',
  exist: 'existWatches',
  child: 'childWatches',
};

/**
 * The SetWatches requests that re-register every one-shot watch after a reconnect: filled in the
 * order data, exist, child until their paths reach 128 K characters (the last path may overshoot),
 * as the Java client batches them.
 */
export function setWatchesBatches(
  paths: Readonly<Record<WatchKind, readonly string[]>>,
  relativeZxid: bigint,
): SetWatches[] {
  const batches: SetWatches[] = [];
  let batch = empty(relativeZxid);
  let chars = 0;
  for (const kind of ['data', 'exist', 'child'] as const) {
    for (const path of paths[kind]) {
      batch[listOf[kind]].push(path);
      chars += path.length;
      if (chars >= SET_WATCHES_MAX_CHARS) {
        batches.push(batch);
        batch = empty(relativeZxid);
        chars = 0;
      }
    }
  }
  if (chars > 0) batches.push(batch);
  return batches;
}

interface Batch {
  relativeZxid: bigint;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
}

function empty(relativeZxid: bigint): Batch {
  return { relativeZxid, dataWatches: [], existWatches: [], childWatches: [] };
}
