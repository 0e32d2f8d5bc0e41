"""The real proxy jar in a child process, with its embedded broker: free ports, a temporary data folder, a
configuration file of the test's groups. The jar comes from ``MQ_PROXY_JAR`` (run-tests.sh sets it)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from typing import BinaryIO, List, Optional

# Not MQPROXY_...: the proxy refuses environment variables of that prefix that are not its settings.
JAR_ENV = "MQ_PROXY_JAR"


def jar_path() -> Optional[str]:
    jar = os.environ.get(JAR_ENV)
    return jar if jar and os.path.isfile(jar) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def broker_port() -> int:
    """The broker also binds port-2 and port+1."""
    for _ in range(200):
        port = free_port()
        if port > 1026 and _free(port - 2) and _free(port + 1):
            return port
    raise RuntimeError("no free port triple for a broker")


class JarProxy:
    """``java -jar <jar> --config <file>``; :meth:`start` returns once ``/ready`` answers 200."""

    def __init__(self, config_yaml: str, name: str = "proxy") -> None:
        jar = jar_path()
        if jar is None:
            raise RuntimeError(f"set {JAR_ENV} to the proxy's jar (run-tests.sh <jar> does)")
        self.jar = jar
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"mqproxy-py-{name}-")
        self.produce_port, self.consume_port, self.admin_port = free_port(), free_port(), free_port()
        self.config = os.path.join(self.dir, "mq-proxy.yaml")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(config_yaml)
        self.log_path = os.path.join(self.dir, "proxy.out")
        self.process: Optional[subprocess.Popen] = None  # type: ignore[type-arg]
        self._log: Optional[BinaryIO] = None

    @property
    def produce_url(self) -> str:
        return f"http://127.0.0.1:{self.produce_port}"

    @property
    def consume_url(self) -> str:
        return f"http://127.0.0.1:{self.consume_port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    def start(self, ready_seconds: float = 180) -> "JarProxy":
        command: List[str] = [
            os.environ.get("JAVA", "java"), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
            self.jar, "--config", self.config,
            f"--embedded.dataDir={os.path.join(self.dir, 'data')}",
            f"--embedded.namesrvPort={free_port()}",
            f"--embedded.brokerPort={broker_port()}",
            "--embedded.commitLogFileMb=64",
            "--http.host=127.0.0.1",
            f"--http.producePort={self.produce_port}",
            f"--http.consumePort={self.consume_port}",
            f"--admin.port={self.admin_port}",
            "--monitor.enabled=false",
        ]
        self._log = open(self.log_path, "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MQPROXY_")}
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, cwd=self.dir, env=env)
        deadline = time.monotonic() + ready_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the proxy exited with {self.process.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.admin_url}/ready", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the proxy was not ready within {ready_seconds} s: {self.tail()}")

    def operator_token(self) -> str:
        with open(os.path.join(self.dir, "data", "operator.token"), encoding="utf-8") as f:
            return f.read().strip()

    def admin(self, method: str, path: str, body: Optional[dict] = None) -> dict:
        """A control-plane call with the embedded operator's token."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.admin_url}{path}", data=data, method=method, headers={
            "Authorization": "Bearer " + self.operator_token(), "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.load(r)

    def tail(self, lines: int = 40) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self._log is not None:
            self._log.close()
        if os.environ.get("MQ_PROXY_KEEP_DATA") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
