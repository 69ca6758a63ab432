#!/usr/bin/env bash
# `npm run bench:peers`: zkcoord through the peer benchmark, in the same run as the peers.
#
#   npm run bench:peers                       REPS=3, every peer and zkcoord (about 15–20 min)
#   QUICK=1 REPS=1 npm run bench:peers        smoke run, small counts
#   ONLY='curator kazoo' npm run bench:peers  a subset of the peers (zkcoord and the reference
#                                             cases are always added)
#
# It builds the harness (dist-bench/), copies the peers' harness to a writable folder (its
# run.sh compiles Java, installs npm packages and keeps server PIDs in its own folder, and the
# original may be read-only), runs its run.sh with zkcoord as an extra case, then prints the
# tables of aggregate.js and zkcoord's ratio to each peer (bench/compare.ts).
#
# Two reference cases run beside the clients, so that targets can be judged against what the
# server allows in the same run:
#   server-ceiling  W2 from several official Java clients at once (bench/java/ServerCeiling.java)
#   wire-floor      W1 as hand-made frames on a bare socket, and w1-set, one committed write's
#                   latency (bench/wire-floor.ts)
#
# Environment (all optional):
#   PEERS_DIR      the peers' harness (default: ../shared/peers beside the repo, else /work/shared/peers)
#   PEERS_WORK_DIR its writable copy (default: $XDG_CACHE_HOME/zkcoord/peers, ~/.cache if unset)
#   RESULTS_DIR    where results go (default: $XDG_CACHE_HOME/zkcoord/bench-results)
#   REPS, QUICK, ONLY, SKIP_INSTALL, RUN_TIMEOUT_S, ZK_PORT, …   passed to run.sh as they are
#   ZKCOORD_WORKLOADS  zkcoord's workloads (default: w1 w2 w3 w4 l1 l2-1 l2-10 l2-50)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/zkcoord

fail() {
  echo "bench:peers: $*" >&2
  exit 1
}

PEERS_SRC=${PEERS_DIR:-}
if [[ -z "$PEERS_SRC" ]]; then
  for candidate in "$ROOT/../shared/peers" /work/shared/peers; do
    if [[ -f "$candidate/run.sh" ]]; then
      PEERS_SRC=$(cd "$candidate" && pwd)
      break
    fi
  done
fi
[[ -n "$PEERS_SRC" && -f "$PEERS_SRC/run.sh" ]] ||
  fail "the peers' harness was not found; set PEERS_DIR to the folder that holds its run.sh"

# run.sh splits the case's command on spaces: the harness path must have none.
HARNESS=$ROOT/dist-bench/bench/peer-harness.js
[[ "$HARNESS" != *[[:space:]]* ]] || fail "the repository path has a space in it ($ROOT); run.sh cannot pass it"

export REPS=${REPS:-3}
export RESULTS_DIR=${RESULTS_DIR:-$CACHE/bench-results}
WORK=${PEERS_WORK_DIR:-$CACHE/peers}
[[ "$WORK" != *[[:space:]]* ]] || fail "PEERS_WORK_DIR has a space in it ($WORK)"
if [[ -n "${ONLY:-}" ]]; then
  export ONLY="$ONLY zkcoord server-ceiling wire-floor"
fi

echo "bench:peers: building the harness" >&2
(cd "$ROOT" && npm run -s bench:build)

# The copy keeps what run.sh made in it (node_modules, java/classes) from one run to the next;
# the sources are refreshed each time, with their times kept so run.sh sees whether Java changed.
echo "bench:peers: peers' harness $PEERS_SRC → $WORK" >&2
mkdir -p "$WORK"
chmod -R u+w "$WORK"
tar -C "$PEERS_SRC" --exclude=./node_modules --exclude=./java/classes --exclude=./.run \
  --exclude=./results -cf - . | tar -C "$WORK" -xpf -
chmod -R u+w "$WORK"

WORKLOADS=${ZKCOORD_WORKLOADS:-w1 w2 w3 w4 l1 l2-1 l2-10 l2-50}
export PEERS_WORK_DIR=$WORK
export EXTRA_CASES="zkcoord|ZK_PID|node $HARNESS|ZK|$WORKLOADS
server-ceiling|ZK_PID|bash $ROOT/bench/java/server-ceiling.sh|ZK|w2
wire-floor|ZK_PID|node $ROOT/dist-bench/bench/wire-floor.js|ZK|w1 w1-set"

echo "bench:peers: REPS=$REPS${QUICK:+ QUICK=$QUICK}${ONLY:+ ONLY='$ONLY'}, results in $RESULTS_DIR" >&2
"$WORK/run.sh"

echo
node "$ROOT/dist-bench/bench/compare.js" "$RESULTS_DIR/latest.jsonl"
