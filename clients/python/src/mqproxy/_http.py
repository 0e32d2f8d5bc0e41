"""HTTP to the proxy: keep-alive connections, credentials, envelopes. Standard library only."""
import hashlib
import hmac
import http.client
import json
import random
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Any, Dict, List, Mapping, Optional

from .errors import NO_ANSWER, ProxyError

# A connection idle this long is opened anew before a request: the proxy closes one with no request within
# http.idleTimeoutSeconds (30 s), and a request written into a closing connection has an unknown fate.
_IDLE_RECONNECT_SECONDS = 15.0

Params = Mapping[str, Any]


class Credentials:
    """A data client's credential; the proxy checks it when ``security.requireCredentials`` is on."""

    def headers(self, method: str, path: str, raw_query: str, body: bytes) -> Dict[str, str]:
        raise NotImplementedError


class BearerToken(Credentials):
    """``Authorization: Bearer <secret>``: the credential's secret travels with every request (use HTTPS)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def headers(self, method: str, path: str, raw_query: str, body: bytes) -> Dict[str, str]:
        return {"Authorization": "Bearer " + self._token}

    def __repr__(self) -> str:
        return "BearerToken(***)"


class SignedCredentials(Credentials):
    """Requests signed with the credential's id and secret; the secret never travels.

    ``X-MQProxy-Signature`` is hex(HMAC-SHA256(secret, METHOD \\n PATH \\n RAW_QUERY \\n hex(SHA-256(body)) \\n
    TIMESTAMP)) over the query and body exactly as sent. The proxy accepts a signature once, so timestamps
    (epoch milliseconds) are kept strictly increasing: two identical requests never share one.
    """

    def __init__(self, key_id: str, secret: str) -> None:
        self.key_id = key_id
        self._secret = secret.encode("utf-8")
        self._lock = threading.Lock()
        self._last = 0

    def _timestamp(self) -> int:
        with self._lock:
            self._last = max(int(time.time() * 1000), self._last + 1)
            return self._last

    def headers(self, method: str, path: str, raw_query: str, body: bytes) -> Dict[str, str]:
        timestamp = str(self._timestamp())
        signed = "\n".join([method, path, raw_query, hashlib.sha256(body).hexdigest(), timestamp])
        signature = hmac.new(self._secret, signed.encode("utf-8"), hashlib.sha256).hexdigest()
        return {"X-MQProxy-Key": self.key_id, "X-MQProxy-Timestamp": timestamp, "X-MQProxy-Signature": signature}

    def __repr__(self) -> str:
        return f"SignedCredentials({self.key_id!r}, ***)"


def encode_params(params: Optional[Params]) -> str:
    """A query string of the parameters that are set; booleans as true/false."""
    if not params:
        return ""
    pairs = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        pairs.append((name, str(value)))
    return urllib.parse.urlencode(pairs)


class Endpoint:
    """Where a proxy port is, how to reach it and as whom."""

    def __init__(self, url: str, *, credentials: Optional[Credentials] = None, timeout: float = 30.0,
                 ssl_context: Optional[ssl.SSLContext] = None) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url: must be http://host:port or https://host:port, got {url!r}")
        self.url = url
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._local = threading.local()
        self._lock = threading.Lock()
        self._shared: List["Connection"] = []

    def connection(self) -> "Connection":
        """A connection of its own (one thread uses it at a time)."""
        return Connection(self)

    def call(self, method: str, path: str, params: Optional[Params] = None, *, json_body: Any = None,
             timeout: Optional[float] = None) -> Dict[str, Any]:
        """One request on this thread's keep-alive connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = Connection(self)
            with self._lock:
                self._shared.append(conn)
        return conn.call(method, path, params, json_body=json_body, timeout=timeout)

    def close(self) -> None:
        """Closes the threads' keep-alive connections (a later call opens a new one)."""
        with self._lock:
            shared, self._shared = self._shared, []
        for conn in shared:
            conn.close()
        self._local = threading.local()


class Connection:
    """One keep-alive HTTP connection. Used by one thread; :meth:`abort` may be called from another."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._conn: Optional[http.client.HTTPConnection] = None
        self._used_at = 0.0
        self._lock = threading.Lock()
        self._aborted = False

    def _open(self, timeout: float) -> http.client.HTTPConnection:
        e = self.endpoint
        if self._conn is not None and time.monotonic() - self._used_at > _IDLE_RECONNECT_SECONDS:
            self._drop()
        if self._conn is None:
            if e.https:
                conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                    e.host, e.port, timeout=timeout, context=e.ssl_context)
            else:
                conn = http.client.HTTPConnection(e.host, e.port, timeout=timeout)
            with self._lock:
                self._conn = conn
        assert self._conn is not None
        self._conn.timeout = timeout
        if self._conn.sock is not None:
            self._conn.sock.settimeout(timeout)
        return self._conn

    def _drop(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def abort(self) -> None:
        """Ends the request in flight at once (from another thread): its answer is never read."""
        with self._lock:
            self._aborted = True
            sock = self._conn.sock if self._conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self._drop()

    def send(self, method: str, path: str, params: Optional[Params] = None, *, json_body: Any = None,
             timeout: Optional[float] = None, headers: Optional[Mapping[str, str]] = None
             ) -> http.client.HTTPResponse:
        """Writes the request and returns the response with its head read (the body not yet)."""
        e = self.endpoint
        query = encode_params(params)
        full_path = e.prefix + path
        body = b""
        head = {"Accept": "application/json"}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            head["Content-Type"] = "application/json; charset=utf-8"
        if headers:
            head.update(headers)
        if e.credentials is not None:
            head.update(e.credentials.headers(method, full_path, query, body))
        target = full_path + ("?" + query if query else "")
        with self._lock:
            aborted, self._aborted = self._aborted, False
        if aborted:
            self._drop()  # an abort meant for an earlier request may have shut this socket
        conn = self._open(e.timeout if timeout is None else timeout)
        try:
            conn.request(method, target, body=body if method != "GET" else None, headers=head)
            response = conn.getresponse()
        except socket.timeout as exc:
            self._drop()
            raise ProxyError(NO_ANSWER, f"{method} {path}: no answer within {conn.timeout} s (the outcome is "
                             "unknown)", code="TIMEOUT") from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            aborted = self._aborted
            raise ProxyError(NO_ANSWER, f"{method} {path}: {'aborted' if aborted else exc.__class__.__name__}: "
                             f"{exc} ({e.host}:{e.port})", code="ABORTED" if aborted else "CONNECTION") from exc
        self._used_at = time.monotonic()
        return response

    def call(self, method: str, path: str, params: Optional[Params] = None, *, json_body: Any = None,
             timeout: Optional[float] = None) -> Dict[str, Any]:
        """The envelope of a success (status 200 or 201); anything else raises :class:`ProxyError`."""
        response = self.send(method, path, params, json_body=json_body, timeout=timeout)
        try:
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise ProxyError(NO_ANSWER, f"{method} {path}: the answer was cut: {exc}",
                             code="ABORTED" if self._aborted else "CONNECTION") from exc
        if response.will_close:
            self._drop()
        else:
            self._used_at = time.monotonic()
        return envelope(method, path, response.status, response.getheader("Retry-After"), raw)


def envelope(method: str, path: str, http_status: int, retry_after: Optional[str], raw: bytes) -> Dict[str, Any]:
    """The body as an envelope; a failure status raises."""
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        body = None
    wait = _seconds(retry_after)
    if not isinstance(body, dict) or not isinstance(body.get("status"), int):
        text = raw[:200].decode("utf-8", "replace")
        raise ProxyError(http_status if http_status != 200 else 500,
                         f"{method} {path}: HTTP {http_status}, not an envelope: {text!r}",
                         http_status=http_status, retry_after=wait)
    if body["status"] not in (200, 201):
        raise ProxyError(body["status"], str(body.get("message") or ""), result=body.get("result"),
                         http_status=http_status, retry_after=wait)
    return body


def _seconds(value: Optional[str]) -> Optional[float]:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class Backoff:
    """Exponential back-off with jitter (between half and all of each step), bounded by ``maximum``."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial = initial
        self.maximum = maximum
        self._next = initial

    def next(self, at_least: Optional[float] = None) -> float:
        step = self._next
        self._next = min(self._next * 2, self.maximum)
        wait = step * (0.5 + random.random() / 2)
        return max(wait, at_least or 0.0)

    def reset(self) -> None:
        self._next = self.initial

