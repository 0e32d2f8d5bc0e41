#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what the tests run besides the JVM and Maven when the
# machine lacks it, then runs the whole suite. From Debian's packages: haproxy and nginx (the shipped
# load-balancer configurations are run by RollingRestartIT and LoadBalancerConfigIT), openssl (self-signed
# certificates for the TLS tests), chromium and chromium-driver (the browser tests: event streams, the console),
# zsh (the CLI's zsh completion script is checked with `zsh -n`). Where apt-get is not available it names what
# to install and stops. Arguments go to Maven (e.g. ./test.sh -Dtest=ControlPlaneIT).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
for tool in haproxy:haproxy nginx:nginx openssl:openssl chromium:chromium chromedriver:chromium-driver zsh:zsh; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: the tests need these programs, not found on this machine: ${missing[*]}" >&2
    echo "  (Debian/Ubuntu package names: haproxy nginx openssl chromium chromium-driver zsh; install them" >&2
    echo "  with your system's package manager so they are on the PATH, then run ./test.sh again)" >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "test.sh: installing ${missing[*]} from Debian's packages" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
fi
exec mvn -B test "$@"
