#!/usr/bin/env bash
# Makes the interop peers available to test/interop: Apache Curator 5 (Debian's
# `libcurator-recipes-java`, which pulls in curator-framework/-client and the ZooKeeper client
# jars) and kazoo (`python3-kazoo`, for Debian's /usr/bin/python3, not a pyenv or venv python).
# Quiet and exit 0 when both are there (it may run before every interop test run). As root it
# installs what is missing without letting package scripts start services; otherwise it prints
# the command to run and fails.
set -euo pipefail
# shellcheck source=lib/debian.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/debian.sh"

PACKAGES=(libcurator-recipes-java python3-kazoo)
DEBIAN_PYTHON=/usr/bin/python3

# `dpkg -s` answers "installed" only for a fully configured package: a half-installed one
# (an interrupted apt run) counts as missing and is installed again.
installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
  done
else
  missing=("${PACKAGES[@]}")
fi
# The Curator peer is compiled at test time, so a JDK (javac) is needed, not only a JRE.
need_jdk=0
command -v javac >/dev/null 2>&1 || need_jdk=1

if [[ ${#missing[@]} -eq 0 && "$need_jdk" -eq 0 ]]; then
  exit 0
fi

[[ "$need_jdk" -eq 0 ]] || missing+=("$(jdk_package)")

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-peers: the interop peers are missing (${missing[*]}). Install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  echo "or run this script as root: sudo bash scripts/install-peers.sh" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-peers: no apt-get here; the interop tests need Debian's ${PACKAGES[*]}" \
    "(Curator 5 jars under /usr/share/java, kazoo for ${DEBIAN_PYTHON})." >&2
  exit 1
fi

echo "install-peers: installing ${missing[*]}" >&2
apt_install_quietly "${missing[@]}"

for pkg in "${PACKAGES[@]}"; do
  if ! installed "$pkg"; then
    echo "install-peers: installed, but $pkg is still not installed" >&2
    exit 1
  fi
done
if ! "$DEBIAN_PYTHON" -c 'import kazoo' 2>/dev/null; then
  echo "install-peers: python3-kazoo is installed, but ${DEBIAN_PYTHON} cannot import kazoo" >&2
  exit 1
fi
