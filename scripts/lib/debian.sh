# Shared by the install scripts (source it): installing Debian packages as root without letting
# their maintainer scripts start services, and picking the JDK package this release has.

# OpenJDK 17 where the release has it; Debian 13 and later get their default JDK instead.
jdk_package() {
  if command -v apt-cache >/dev/null 2>&1 && apt-cache show openjdk-17-jdk-headless >/dev/null 2>&1; then
    echo openjdk-17-jdk-headless
  else
    echo default-jdk-headless
  fi
}

# apt_install_quietly PKG...: refreshes the package lists and installs PKG..., with a temporary
# /usr/sbin/policy-rc.d (exit 101) so nothing starts a service; an existing policy-rc.d is left
# alone, and ours is removed however the install ends.
apt_install_quietly() {
  local policy=/usr/sbin/policy-rc.d created=0 status=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created=1
  fi
  apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    status=$?
  [[ "$created" -eq 0 ]] || rm -f "$policy"
  return "$status"
}
