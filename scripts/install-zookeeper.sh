#!/usr/bin/env bash
# Makes a ZooKeeper server available to zkcoord's tests and to `zkcoord/testing` users.
# Quiet and exit 0 when one is already there (it runs before every `npm test`).
# Installs Debian's `zookeeper` (jars only) and `libslf4j-java` (a logging binding: without it
# the server logs nothing) when run as root; otherwise prints the command to run and fails.
# Never installs `zookeeperd`, which would start a system service on port 2181.
set -euo pipefail

DEBIAN_JAR=/usr/share/java/zookeeper.jar
SLF4J_SIMPLE_JAR=/usr/share/java/slf4j-simple.jar
PACKAGES=(zookeeper libslf4j-java)

have_java() {
  if [[ -n "${JAVA_HOME:-}" ]]; then
    [[ -x "${JAVA_HOME}/bin/java" ]]
  else
    command -v java >/dev/null 2>&1
  fi
}

# An Apache binary release keeps its jars in lib/ (older ones also at the top level).
zookeeper_home_has_jars() {
  [[ -n "${ZOOKEEPER_HOME:-}" ]] || return 1
  compgen -G "${ZOOKEEPER_HOME}/lib/zookeeper-[0-9]*.jar" >/dev/null ||
    compgen -G "${ZOOKEEPER_HOME}/zookeeper-[0-9]*.jar" >/dev/null
}

# findZooKeeper() prefers ZOOKEEPER_HOME and refuses a wrong one, so installing a package
# would not help: say so now rather than in every test.
if [[ -n "${ZOOKEEPER_HOME:-}" ]] && ! zookeeper_home_has_jars; then
  echo "install-zookeeper: ZOOKEEPER_HOME=${ZOOKEEPER_HOME} holds no zookeeper-<version>.jar" \
    "(in lib/ or at its top level). Point it at an unpacked apache-zookeeper-<version>-bin" \
    "release, or unset it to use Debian's package." >&2
  exit 1
fi

if have_java && { zookeeper_home_has_jars || [[ -f "$DEBIAN_JAR" && -f "$SLF4J_SIMPLE_JAR" ]]; }; then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-zookeeper: ZooKeeper (or java) is missing. Install it with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
  echo "or run this script as root: sudo bash scripts/install-zookeeper.sh" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-zookeeper: no apt-get here. Unpack an Apache ZooKeeper binary release" \
    "(https://zookeeper.apache.org/releases.html) and set ZOOKEEPER_HOME to it." >&2
  exit 1
fi


# Keep maintainer scripts from starting services; only touch policy-rc.d if we created it.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  created_policy=1
fi
remove_policy() {
  if [[ "$created_policy" -eq 1 ]]; then
    rm -f "$POLICY"
  fi
}
trap remove_policy EXIT

apt-get update -qq
packages=("${PACKAGES[@]}")
# The zookeeper package pulls a JRE anyway; a JDK also serves tools that compile Java. Releases
# without OpenJDK 17 (Debian 13 and later) get their default JDK instead.
if ! command -v javac >/dev/null 2>&1; then
  if apt-cache show openjdk-17-jdk-headless >/dev/null 2>&1; then
    packages+=(openjdk-17-jdk-headless)
  else
    packages+=(default-jdk-headless)
  fi
fi
echo "install-zookeeper: installing ${packages[*]}" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

if [[ ! -f "$DEBIAN_JAR" || ! -f "$SLF4J_SIMPLE_JAR" ]] || ! have_java; then
  echo "install-zookeeper: installed, but $DEBIAN_JAR, $SLF4J_SIMPLE_JAR or java is still missing" >&2
  exit 1
fi
