"""A scripted stand-in for the proxy on loopback, for unit tests: every request is recorded, and a route's
answers come from a function of the request (or a list of envelopes, one per request)."""
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Union


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    params: Dict[str, str]
    headers: Dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


Answer = Union[dict, Callable[[Request, Any], Optional[dict]]]


class FakeProxy:
    def __init__(self) -> None:
        self.requests: List[Request] = []
        self.routes: Dict[str, Any] = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._serve(self)

            def do_POST(self) -> None:
                fake._serve(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # clients the tests cut off on purpose
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def route(self, path: str, answer: Union[Answer, List[Answer]]) -> None:
        """Answers of ``path``: one envelope for every request, a list used in turn (its last one repeated), or a
        function of the request (returning None: it wrote its own answer)."""
        self.routes[path] = list(answer) if isinstance(answer, list) else answer

    def calls(self, path: str) -> List[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        request = Request(h.command, parts.path, parts.query, dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
                          {k: v for k, v in h.headers.items()}, body)
        with self.lock:
            self.requests.append(request)
            answer = self.routes.get(parts.path)
            if isinstance(answer, list):
                answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if answer is None:
            answer = {"status": 404, "message": "no such endpoint"}
        if callable(answer):
            answer = answer(request, h)
            if answer is None:
                return
        write_json(h, answer)


def write_json(h: BaseHTTPRequestHandler, envelope: dict, headers: Optional[Dict[str, str]] = None) -> None:
    data = json.dumps(envelope).encode()
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(data)


def batch(request_id: str, *bodies: str, retry: bool = False) -> dict:
    msgs = [{"messageId": f"{request_id}-{i}", "message": b, "timestamp": 1, "deliveryCount": 2 if retry else 1}
            for i, b in enumerate(bodies)]
    return {"status": 200, "result": {
        "status": "FOUND" if msgs else "NO_NEW_MSG", "requestId": request_id if msgs else "",
        "msgList": [] if retry else msgs, "msgListSize": 0 if retry else len(msgs),
        "retryMsgList": msgs if retry else [], "retryMsgListSize": len(msgs) if retry else 0}}


def empty(status: str = "NO_NEW_MSG", delay: float = 0.0) -> Callable[[Request, Any], dict]:
    def answer(request: Request, h: Any) -> dict:
        if delay:
            time.sleep(delay)
        return {"status": 200, "result": {"status": status, "requestId": "", "msgList": [], "msgListSize": 0,
                                          "retryMsgList": [], "retryMsgListSize": 0}}
    return answer


ACK_OK = {"status": 200, "result": {"status": "OK"}}
