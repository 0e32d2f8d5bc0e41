#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what the tests run besides the JVM and Maven when the
# machine lacks it, then runs the whole suite. From Debian's packages: haproxy and nginx (the shipped
# load-balancer configurations are run by RollingRestartIT and LoadBalancerConfigIT), openssl (self-signed
# certificates for the TLS tests), chromium and chromium-driver (the browser tests: event streams, the console),
# zsh (the CLI's zsh completion script is checked with `zsh -n`), nodejs, npm and python3 (the client libraries'
# tests). Where apt-get is not available it names what to install and stops. After the Java suite, the client
# libraries' tests (clients/*/run-tests.sh: Python's unittest, Node's test runner) run against the jar.
# Arguments go to Maven and then only the Java tests run (e.g. ./test.sh -Dtest=ControlPlaneIT).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
for tool in haproxy:haproxy nginx:nginx openssl:openssl chromium:chromium chromedriver:chromium-driver zsh:zsh \
    node:nodejs npm:npm python3:python3; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: the tests need these programs, not found on this machine: ${missing[*]}" >&2
    echo "  (Debian/Ubuntu package names: haproxy nginx openssl chromium chromium-driver zsh nodejs npm python3; install them" >&2
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
# The Java suite, then the jar (package runs no test twice), then the client libraries against that jar.
# With arguments (e.g. -Dtest=...), only Maven runs: they select Java tests.
mvn -B test "$@"
if [ $# -gt 0 ]; then
  exit 0
fi
mvn -B -q -DskipTests package
for client in clients/*/run-tests.sh; do
  echo "test.sh: $client target/mq-proxy.jar" >&2
  "$client" target/mq-proxy.jar
done
