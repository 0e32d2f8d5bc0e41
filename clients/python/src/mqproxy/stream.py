"""Server-sent events: ``GET /mq/stream``, one event per message, acknowledged by the client."""
import json
import logging
import ssl
import threading
from typing import Any, Callable, Dict, Generator, Iterator, List, Optional, Union

from ._http import Backoff, Connection, Credentials, Endpoint, envelope
from .errors import ProxyError
from .messages import Message

log = logging.getLogger("mqproxy")

EventCallback = Callable[[str, Dict[str, Any]], Any]


class EventStream:
    """Iterates over a group's messages as the proxy pushes them on one open response.

    With ``ack="client"`` (the default, at-least-once) acknowledge each message with :meth:`ack` (or give it
    back with :meth:`nack` / :meth:`unlock`); what is not acknowledged within the consume timeout comes again,
    and the proxy writes at most ``max_unacked`` messages not yet acknowledged. With ``ack="auto"`` each message
    is acknowledged once written (at-most-once if the connection drops).

    A dropped connection is opened again (``reconnect``) with ``Last-Event-ID``; the proxy gives back at once
    what the dropped stream had not seen acknowledged, so it comes again first. ``paused`` and ``resumed``
    events go to ``on_event(name, data)``; an ``error`` event (the group was removed or changed) ends the
    iteration with a :class:`ProxyError`. :meth:`close`, from any thread, ends it without error.

    >>> with EventStream(url, "orders", "billing") as stream:   # doctest: +SKIP
    ...     for message in stream:
    ...         handle(message)
    ...         stream.ack(message)
    """

    def __init__(self, url: str, topic: str, consumer: str, *, client_id: Optional[str] = None,
                 ack: str = "client", max_unacked: Optional[int] = None, consume_timeout: Optional[int] = None,
                 credentials: Optional[Credentials] = None, reconnect: bool = True, read_timeout: float = 60.0,
                 timeout: float = 30.0, on_event: Optional[EventCallback] = None,
                 ssl_context: Optional[ssl.SSLContext] = None) -> None:
        if ack not in ("client", "auto"):
            raise ValueError("ack: 'client' or 'auto'")
        self.topic = topic
        self.consumer = consumer
        self.client_id = client_id
        self.auto_ack = ack == "auto"
        self.reconnect = reconnect
        self.read_timeout = read_timeout
        self.on_event = on_event
        self._stream_params: Dict[str, Any] = self._params(ack=ack, maxUnacked=max_unacked,
                                                           consumeTimeout=consume_timeout)
        self._endpoint = Endpoint(url, credentials=credentials, timeout=timeout, ssl_context=ssl_context)
        self._conn: Optional[Connection] = None
        self._closed = threading.Event()
        self._last_id: Optional[str] = None
        self._retry_seconds = 2.0
        self._messages: Optional[Generator[Message, None, None]] = None

    def __iter__(self) -> "EventStream":
        return self

    def __next__(self) -> Message:
        """The next message. The stream is its own iterator, so leaving a ``for`` loop (or dropping an
        ``iter()``) does not close it: only :meth:`close` does, and the proxy then gives back what was not
        acknowledged."""
        if self._messages is None:
            self._messages = self._receive()
        return next(self._messages)

    def _receive(self) -> Generator[Message, None, None]:
        backoff = Backoff(0.5, 10.0)
        while not self._closed.is_set():
            try:
                for message in self._one_connection():
                    backoff.reset()
                    yield message
                if self._closed.is_set():
                    return
                problem: Optional[ProxyError] = ProxyError(0, "the stream ended", code="CONNECTION")
            except ProxyError as e:
                if self._closed.is_set():
                    return
                if not e.retryable:
                    raise
                problem = e
            if not self.reconnect:
                assert problem is not None
                raise problem
            log.info("mqproxy stream of %s: %s; reconnecting", self.consumer, problem)
            self._closed.wait(max(self._retry_seconds, backoff.next()))

    def ack(self, message: Union[Message, str]) -> str:
        """Acknowledges the message (or its ack token); returns ``OK``, ``EXPIRED``, ``ALREADY_ACKED``, ..."""
        return self._settle("/mq/ack", message, None)

    def nack(self, message: Union[Message, str], delay: float = 0) -> str:
        """Gives the message back, delivered again after ``delay`` seconds."""
        return self._settle("/mq/nack", message, max(0, round(delay)))

    def unlock(self, message: Union[Message, str]) -> str:
        """Gives the message back, delivered again at once."""
        return self._settle("/mq/unlock", message, None)

    def close(self) -> None:
        """Ends the stream (the proxy gives back what was not acknowledged) and the iteration."""
        self._closed.set()
        conn = self._conn
        if conn is not None:
            conn.abort()
        if self._messages is not None:
            try:
                self._messages.close()  # closes the connection now, unless another thread is reading it
            except ValueError:
                pass  # that thread sees the abort and closes it
        self._endpoint.close()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -------------------------------------------------------------- inside

    def _params(self, **extra: Any) -> Dict[str, Any]:
        params: Dict[str, Any] = {"topic": self.topic, "consumer": self.consumer}
        if self.client_id is not None:
            params["clientId"] = self.client_id
        params.update({k: v for k, v in extra.items() if v is not None})
        return params

    def _settle(self, path: str, message: Union[Message, str], delay: Optional[int]) -> str:
        token = message.ack_token if isinstance(message, Message) else message
        if not token:
            raise ValueError("this message has no ack token (it did not come from an event stream)")
        body = self._endpoint.call("GET", path, self._params(requestId=token, delay=delay))
        return str((body.get("result") or {}).get("status", ""))

    def _one_connection(self) -> Iterator[Message]:
        conn = self._endpoint.connection()
        self._conn = conn
        if self._closed.is_set():
            return
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if self._last_id:
            headers["Last-Event-ID"] = self._last_id
        try:
            response = conn.send("GET", "/mq/stream", self._stream_params, headers=headers, timeout=self.read_timeout)
            content_type = response.getheader("Content-Type", "")
            if not content_type.startswith("text/event-stream"):
                envelope("GET", "/mq/stream", response.status, response.getheader("Retry-After"), response.read())
                raise ProxyError(500, f"/mq/stream answered {content_type!r}, not an event stream")
            event, event_id = "message", None  # type: str, Optional[str]
            data: List[str] = []
            while not self._closed.is_set():
                try:
                    raw = response.readline()
                except OSError as e:
                    raise ProxyError(0, f"the stream was cut: {e!r}", code="CONNECTION") from e
                if not raw:
                    return  # the proxy ended the stream (stopping); the caller reconnects
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        message = self._dispatch(event, "\n".join(data), event_id)
                        if message is not None:
                            yield message
                    event, data, event_id = "message", [], None
                    continue
                if line.startswith(":"):
                    continue  # a comment: the heartbeat
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "data":
                    data.append(value)
                elif name == "event":
                    event = value
                elif name == "id":
                    event_id = value
                elif name == "retry" and value.isdigit():
                    self._retry_seconds = int(value) / 1000.0
        finally:
            conn.close()

    def _dispatch(self, event: str, data: str, event_id: Optional[str]) -> Optional[Message]:
        try:
            payload = json.loads(data)
        except ValueError:
            payload = {"data": data}
        if event == "message":
            if event_id:
                self._last_id = event_id
            return Message.from_json(payload, ack_token=event_id)
        if event == "error":
            raise ProxyError(int(payload.get("status", 500)), str(payload.get("message", "stream error")))
        if self.on_event is not None:
            self.on_event(event, payload)
        else:
            log.info("mqproxy stream of %s: %s %s", self.consumer, event, payload)
        return None
