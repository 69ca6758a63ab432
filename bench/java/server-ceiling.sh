#!/usr/bin/env bash
# The server-ceiling case of `npm run bench:peers`: ServerCeiling.java, compiled on first use
# against the peers' Java harness (their Common class and the Debian jars their lib/jars.sh finds).
#
#   PEERS_WORK_DIR=<the peers' copy> bash bench/java/server-ceiling.sh CONNECT w2
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS=${PEERS_WORK_DIR:?PEERS_WORK_DIR must name the copy of the peers harness (bench/run-peers.sh sets it)}
# shellcheck source=/dev/null
. "$PEERS/lib/jars.sh"
CP=$PEERS/java/classes:$(zk_client_classpath)
[[ -f "$PEERS/java/classes/Common.class" ]] || "$PEERS/java/build.sh" >&2
OUT=$PEERS/java/zkcoord-classes
if [[ ! -f "$OUT/ServerCeiling.class" || "$HERE/ServerCeiling.java" -nt "$OUT/ServerCeiling.class" ]]; then
  mkdir -p "$OUT"
  javac -d "$OUT" -cp "$CP" "$HERE/ServerCeiling.java" >&2
fi
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$OUT:$CP" ServerCeiling "$@"
