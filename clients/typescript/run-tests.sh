#!/usr/bin/env bash
# Builds the TypeScript client and runs its tests: unit tests, then integration tests against the jar given
# (started as a child process with its embedded broker). Usage: clients/typescript/run-tests.sh target/mq-proxy.jar
set -euo pipefail
jar=${1:?usage: $0 <path to mq-proxy.jar>}
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
[ -f "$jar" ] || { echo "run-tests.sh: no jar at $jar (build it: mvn -q -DskipTests package)" >&2; exit 2; }
cd "$(dirname "$0")"
# typescript is the only (dev) dependency; with node_modules already there, nothing is fetched.
if [ -x node_modules/.bin/tsc ]; then
  npm ci --offline --no-audit --no-fund || npm ci --no-audit --no-fund
else
  npm ci --no-audit --no-fund
fi
MQPROXY_JAR="$jar" npm test
