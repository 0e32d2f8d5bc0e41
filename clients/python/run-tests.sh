#!/bin/sh
# Runs the Python client's tests: unit tests (no network beyond loopback), then the integration tests against
# the proxy jar given (started with its embedded broker on free ports). Exits non-zero on any failure.
#   clients/python/run-tests.sh target/mq-proxy.jar
set -eu
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 <path to mq-proxy.jar> (build it: mvn -q -DskipTests package)" >&2
    exit 2
fi
jar=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else "Python 3.9 or later is needed")'
cd "$here"
export PYTHONPATH="$here/src:$here/tests"
export MQ_PROXY_JAR="$jar"
"$python" -m unittest discover -s tests -p 'test_*.py' -v
