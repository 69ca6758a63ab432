"""A real kazoo contender for zkcoord's interop tests (Debian's python3-kazoo, /usr/bin/python3).

usage: kazoo_locker.py CONNECT LOCK_PATH MODE ITERATIONS COUNTER_PATH OUT_FILE [HOLD_MS]

MODE:
  mutex          kazoo's own Lock: nodes <uuid hex>__lock__<seq>, and extra_lock_patterns=["lock-"]
                 so that zkcoord's and Curator's <..>-lock-<seq> nodes count as contenders.
  curator-names  the same Lock with Curator's node name: nodes <uuid hex>-lock-<seq>, which
                 Curator sorts correctly too (it does not sort kazoo's own names); kazoo's own
                 __lock__ nodes stay contenders.

The contract is CuratorLocker.java's: print "ready" once connected, wait for a line on stdin
(and exit when stdin closes), then per iteration acquire, print "acquired NODE", note the start
on CLOCK_MONOTONIC (time.monotonic_ns, the clock of Java's nanoTime and Node's hrtime), read the
counter, sleep HOLD_MS (default 1-5 ms at random), set the counter to the value read + 1 with
version -1 (unconditional), note the end, release, and append one JSON line per hold to
OUT_FILE (flushed at once).
"""
import json
import os
import random
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.recipe.lock import Lock

# zkcoord's Mutex and Curator's InterProcessMutex name their nodes _c_<uuid>-lock-<seq>. kazoo
# joins its patterns into a regex ending in (-?\d{10})$ and sorts contenders by the digits.
ZKCOORD_AND_CURATOR = "lock-"


class CuratorNamedLock(Lock):
    """kazoo's Lock with nodes named <uuid hex>-lock-<seq>.

    Curator reads a node's sequence after the last "lock-" in its name; kazoo's own
    <hex>__lock__<seq> has none, so Curator sorts it by the whole name and may take the lock
    while kazoo holds it. With this name every library reads the same sequence.
    _EXCLUDE_NAMES must match our own node too: kazoo looks itself up among the contenders.
    """

    _NODE_NAME = "-lock-"
    _EXCLUDE_NAMES = [ZKCOORD_AND_CURATOR]


def exit_when_stdin_closes():
    """The test keeps our stdin open while it runs: at its end, however it ends, we go too,
    rather than wait forever in acquire() for a lock whose holders are gone."""
    while sys.stdin.readline():
        pass
    os._exit(3)


def main(argv):
    if len(argv) not in (7, 8):
        print(__doc__, file=sys.stderr)
        return 2
    connect, lock_path, mode, iterations, counter_path, out_file = argv[1:7]
    hold_ms = int(argv[7]) if len(argv) == 8 else None
    who = "kazoo-%d" % os.getpid()

    client = KazooClient(hosts=connect, timeout=10.0)
    client.start(timeout=20)
    if mode == "mutex":
        lock = Lock(client, lock_path, who, extra_lock_patterns=[ZKCOORD_AND_CURATOR])
    elif mode == "curator-names":
        lock = CuratorNamedLock(client, lock_path, who, extra_lock_patterns=["__lock__"])
    else:
        raise SystemExit("mode must be mutex or curator-names: %s" % mode)

    print("ready", flush=True)
    sys.stdin.readline()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()

    with open(out_file, "a", encoding="utf-8") as out:
        for _ in range(int(iterations)):
            lock.acquire()
            start = time.monotonic_ns()
            node = lock.node
            print("acquired %s" % node, flush=True)
            read = int(client.get(counter_path)[0].decode("utf-8"))
            hold = hold_ms if hold_ms is not None else random.randint(1, 5)
            time.sleep(hold / 1000.0)
            # No version: an unconditional write, which only the lock keeps from losing updates.
            client.set(counter_path, str(read + 1).encode("utf-8"))
            end = time.monotonic_ns()
            lock.release()
            record = {
                "who": who,
                "lib": "kazoo",
                "mode": mode,
                "node": node,
                "start": str(start),
                "end": str(end),
                "read": read,
                "wrote": read + 1,
            }
            out.write(json.dumps(record) + "\n")
            out.flush()

    client.stop()
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
