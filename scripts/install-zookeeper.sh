#!/usr/bin/env bash
# Makes a ZooKeeper server available to zkcoord's tests and to `zkcoord/testing` users.
# Quiet and exit 0 when one is already there (it runs before every `npm test`).
# Installs Debian's `zookeeper` (jars only) and `libslf4j-java` (a logging binding: without it
# the server logs nothing) when run as root; otherwise prints the command to run and fails.
# Also `openssl`, which the harness uses to make certificates for TLS test servers.
# Never installs `zookeeperd`, which would start a system service on port 2181.
#
# ZOOKEEPER_VERSION=<x.y.z> (other than Debian's 3.8.0) selects another release: its jars and
# runtime dependencies are resolved from Maven Central with `mvn` into
# ${ZKCOORD_ZOOKEEPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zkcoord/zookeeper}/<x.y.z>, where
# findZooKeeper() looks for them. Java and Maven are installed from Debian when missing.
set -euo pipefail
# shellcheck source=lib/debian.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/debian.sh"

DEBIAN_JAR=/usr/share/java/zookeeper.jar
SLF4J_SIMPLE_JAR=/usr/share/java/slf4j-simple.jar
# Debian 12's release: ZOOKEEPER_VERSION=3.8.0 means its package, so CI can name every version.
DEBIAN_VERSION=3.8.0
# findZooKeeper() trusts a version directory only once this file exists; it is written last.
MARKER=.zkcoord-complete

have_java() {
  if [[ -n "${JAVA_HOME:-}" ]]; then
    [[ -x "${JAVA_HOME}/bin/java" ]]
  else
    command -v java >/dev/null 2>&1
  fi
}

have_openssl() { command -v openssl >/dev/null 2>&1; }

# An Apache binary release keeps its jars in lib/ (older ones also at the top level).
zookeeper_home_has_jars() {
  [[ -n "${ZOOKEEPER_HOME:-}" ]] || return 1
  compgen -G "${ZOOKEEPER_HOME}/lib/zookeeper-[0-9]*.jar" >/dev/null ||
    compgen -G "${ZOOKEEPER_HOME}/zookeeper-[0-9]*.jar" >/dev/null
}

MAVEN_VERSION="${ZOOKEEPER_VERSION:-}"
[[ "$MAVEN_VERSION" == "$DEBIAN_VERSION" ]] && MAVEN_VERSION=""

if [[ -n "${ZOOKEEPER_HOME:-}" && -n "${ZOOKEEPER_VERSION:-}" ]]; then
  # Both are explicit choices of a server; findZooKeeper() refuses to pick one silently.
  echo "install-zookeeper: ZOOKEEPER_HOME and ZOOKEEPER_VERSION are both set; unset one." >&2
  exit 1
fi

# findZooKeeper() prefers ZOOKEEPER_HOME and refuses a wrong one, so installing a package
# would not help: say so now rather than in every test.
if [[ -n "${ZOOKEEPER_HOME:-}" ]] && ! zookeeper_home_has_jars; then
  echo "install-zookeeper: ZOOKEEPER_HOME=${ZOOKEEPER_HOME} holds no zookeeper-<version>.jar" \
    "(in lib/ or at its top level). Point it at an unpacked apache-zookeeper-<version>-bin" \
    "release, or unset it to use Debian's package." >&2
  exit 1
fi

if [[ -n "$MAVEN_VERSION" ]]; then
  # The version becomes a directory name and a pom value: no slashes, no markup.
  if [[ ! "$MAVEN_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9.-]*$ ]]; then
    echo "install-zookeeper: ZOOKEEPER_VERSION=${MAVEN_VERSION} is not a release number" \
      "like 3.9.5." >&2
    exit 1
  fi
  CACHE_ROOT="${ZKCOORD_ZOOKEEPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zkcoord/zookeeper}"
  CACHE_DIR="${CACHE_ROOT}/${MAVEN_VERSION}"
  if [[ -f "${CACHE_DIR}/${MARKER}" ]] && have_java && have_openssl; then
    exit 0
  fi
  PACKAGES=(maven openssl)
  ready() { have_java && have_openssl && command -v mvn >/dev/null 2>&1; }
  WHAT="java, mvn or openssl"
else
  PACKAGES=(zookeeper libslf4j-java openssl)
  ready() { have_java && have_openssl && { zookeeper_home_has_jars || [[ -f "$DEBIAN_JAR" && -f "$SLF4J_SIMPLE_JAR" ]]; }; }
  WHAT="ZooKeeper (or java, or openssl)"
fi

# Resolves org.apache.zookeeper:zookeeper:$MAVEN_VERSION with its runtime dependencies through a
# throwaway pom. The version directory is emptied first and the marker written last, so a fetch
# that was interrupted (or failed) is redone rather than half-used.
MAVEN_WORK=""
cleanup_maven_work() { [[ -z "$MAVEN_WORK" ]] || rm -rf "$MAVEN_WORK"; }
run_mvn() {
  local status=0
  mvn -B -q -f "$MAVEN_WORK/pom.xml" "$@" >"$MAVEN_WORK/mvn.log" 2>&1 || status=$?
  return "$status"
}
maven_fail() {
  rm -rf "$CACHE_DIR"
  echo "install-zookeeper: $1" >&2
  # mvn's first errors say what failed; the rest is its generic advice.
  local plain
  plain="$(sed 's/\x1b\[[0-9;]*m//g' "$MAVEN_WORK/mvn.log")"
  grep -m 1 -E 'Non-resolvable|Could not|not found' <<<"$plain" >&2 || tail -n 20 <<<"$plain" >&2
  exit 1
}
maven_install() {
  MAVEN_WORK="$(mktemp -d "${TMPDIR:-/tmp}/zkcoord-zk-maven-XXXXXX")"
  trap cleanup_maven_work EXIT
  # The release marks what only some deployments need `provided` or optional, though its binary
  # tarball ships it: metrics-core (the server's default metrics provider fails without it),
  # snappy-java (snapshot compression), commons-cli, and logback (else no slf4j binding, and the
  # server logs nothing). Importing the release's parent pom pins them to the release's versions.
  local managed="" artifact
  for artifact in io.dropwizard.metrics:metrics-core org.xerial.snappy:snappy-java \
    commons-cli:commons-cli ch.qos.logback:logback-classic; do
    managed+="    <dependency><groupId>${artifact%%:*}</groupId><artifactId>${artifact#*:}</artifactId></dependency>"$'\n'
  done
  cat >"$MAVEN_WORK/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>zkcoord</groupId>
  <artifactId>zookeeper-server-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.apache.zookeeper</groupId>
        <artifactId>parent</artifactId>
        <version>${MAVEN_VERSION}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.apache.zookeeper</groupId>
      <artifactId>zookeeper</artifactId>
      <version>${MAVEN_VERSION}</version>
    </dependency>
${managed}  </dependencies>
</project>
POM
  rm -rf "$CACHE_DIR"
  mkdir -p "$CACHE_DIR"
  echo "install-zookeeper: fetching ZooKeeper ${MAVEN_VERSION} from Maven Central into ${CACHE_DIR}" >&2
  if ! run_mvn dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$CACHE_DIR"; then
    if grep -Eq "org.apache.zookeeper:(zookeeper|parent):(jar|pom):${MAVEN_VERSION//./\\.}" "$MAVEN_WORK/mvn.log"; then
      maven_fail "ZooKeeper ${MAVEN_VERSION} is not on Maven Central (org.apache.zookeeper:zookeeper:${MAVEN_VERSION}); pick a released version, e.g. 3.9.5. mvn said:"
    fi
    maven_fail "mvn failed to fetch ZooKeeper ${MAVEN_VERSION}:"
  fi
  [[ -f "${CACHE_DIR}/zookeeper-${MAVEN_VERSION}.jar" ]] ||
    maven_fail "mvn succeeded but ${CACHE_DIR} has no zookeeper-${MAVEN_VERSION}.jar"
  if ! compgen -G "${CACHE_DIR}/logback-classic-*.jar" >/dev/null; then
    maven_fail "mvn succeeded but ${CACHE_DIR} has no logback-classic jar (the server would log nothing)"
  fi
  touch "${CACHE_DIR}/${MARKER}"
}

if ready; then
  [[ -n "$MAVEN_VERSION" ]] && maven_install
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-zookeeper: ${WHAT} is missing. Install it with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
  echo "or run this script as root: sudo bash scripts/install-zookeeper.sh" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-zookeeper: no apt-get here. Unpack an Apache ZooKeeper binary release" \
    "(https://zookeeper.apache.org/releases.html) and set ZOOKEEPER_HOME to it." >&2
  exit 1
fi

packages=("${PACKAGES[@]}")
# The zookeeper package pulls a JRE anyway; a JDK also serves tools that compile Java.
command -v javac >/dev/null 2>&1 || packages+=("$(jdk_package)")
echo "install-zookeeper: installing ${packages[*]}" >&2
apt_install_quietly "${packages[@]}"

if ! ready; then
  echo "install-zookeeper: installed ${packages[*]}, but ${WHAT} is still missing" >&2
  exit 1
fi
[[ -n "$MAVEN_VERSION" ]] && maven_install
exit 0
