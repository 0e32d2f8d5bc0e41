#!/usr/bin/env bash
# Builds the TypeScript client and runs its tests: unit tests, then integration tests against the jar given
# (started as child processes with their embedded broker). Usage: clients/typescript/run-tests.sh target/mq-proxy.jar
set -euo pipefail
jar=${1:?usage: $0 <path to mq-proxy.jar>}
[ -f "$jar" ] || { echo "run-tests.sh: no jar at $jar (build it: mvn -q -DskipTests package)" >&2; exit 2; }
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
cd "$(dirname "$0")"
# typescript is the only (dev) dependency. Installed already as package-lock.json says: nothing to fetch.
if [ -x node_modules/.bin/tsc ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "run-tests.sh: node_modules is up to date with package-lock.json"
else
  npm ci --prefer-offline --no-audit --no-fund
fi
MQPROXY_JAR="$jar" npm test
