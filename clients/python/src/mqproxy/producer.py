"""Production: ``POST /mq/produce`` and ``/mq/produce/batch`` with the retries the contract asks for."""
import datetime
import json
import ssl
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._http import Backoff, Credentials, Endpoint
from .errors import ProxyError

Body = Union[str, bytes, Mapping[str, Any], Sequence[Any], int, float, bool]


@dataclass(frozen=True)
class SendResult:
    """The broker's receipt: the message is stored (``send_status`` says how durably)."""

    msg_id: str
    send_status: str
    queue_id: Optional[int]
    queue_offset: Optional[int]
    attempts: int
    raw: Dict[str, Any]


@dataclass(frozen=True)
class BatchItemResult:
    """One element of a batch: ``status`` 200 once stored; otherwise the proxy's status and message."""

    status: int
    message: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.status == 200


class Producer:
    """Sends messages through a producer group (which names the topic) on the production port.

    Retries, with exponential back-off and at most ``max_attempts`` tries in all, what may succeed on another
    try: ``503`` (the proxy is at a bound; ``Retry-After`` is honoured), ``500`` (a broker error: another broker
    may take it), no answer, and ``300`` (the broker did not answer in time: the message *may* be stored) unless
    ``retry_unknown`` is False. A retry after ``300`` or after a lost answer may store the message twice: give
    it ``keys`` so consumers can tell. Bad input (400) and refused credentials (401/403) raise at once.
    """

    def __init__(self, url: str, producer: str, *, credentials: Optional[Credentials] = None,
                 timeout: float = 30.0, max_attempts: int = 5, backoff: float = 0.2, max_backoff: float = 5.0,
                 retry_unknown: bool = True, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts: at least 1")
        self.producer = producer
        self.max_attempts = max_attempts
        self.retry_unknown = retry_unknown
        self._backoff = (backoff, max_backoff)
        self._endpoint = Endpoint(url, credentials=credentials, timeout=timeout, ssl_context=ssl_context)
        self._closed = threading.Event()

    def send(self, message: Body, *, keys: Union[str, Sequence[str], None] = None, tags: Optional[str] = None,
             order_id: Optional[str] = None, delay_level: Optional[int] = None,
             deliver_at: Union[float, datetime.datetime, None] = None, round_robin: Optional[bool] = None,
             properties: Optional[Mapping[str, str]] = None) -> SendResult:
        """Sends one message and returns once the broker stored it.

        ``message``: text as it is, bytes as UTF-8, anything else as its JSON. ``keys``: one key or several
        (indexed for lookup). ``order_id``: messages with the same one go to the same queue, in order.
        ``delay_level``: 1..18 (1s 5s 10s 30s 1m 2m ... 2h). ``deliver_at``: epoch seconds or a datetime.
        ``properties`` (sent only when given): user properties, string to string.
        """
        params: Dict[str, Any] = {"producer": self.producer, "message": _text(message)}
        if keys is not None:
            params["keys"] = keys if isinstance(keys, str) else " ".join(keys)
        _put(params, "tags", tags)
        _put(params, "orderId", order_id)
        _put(params, "delayLevel", delay_level)
        _put(params, "roundRobin", round_robin)
        if deliver_at is not None:
            seconds = deliver_at.timestamp() if isinstance(deliver_at, datetime.datetime) else float(deliver_at)
            params["deliveryTimestamp"] = int(seconds * 1000)
        if properties is not None:
            params["properties"] = dict(properties)
        body, attempts = self._retrying("/mq/produce", params)
        result = body.get("result") or {}
        queue = result.get("messageQueue") or {}
        return SendResult(msg_id=str(result.get("msgId", "")), send_status=str(result.get("sendStatus", "")),
                          queue_id=queue.get("queueId"), queue_offset=result.get("queueOffset"), attempts=attempts,
                          raw=result)

    def send_batch(self, messages: Sequence[Body], *, tags: Optional[str] = None,
                   order_id: Optional[str] = None,
                   properties: Optional[Sequence[Optional[Mapping[str, str]]]] = None) -> List[BatchItemResult]:
        """Sends several messages in one request; returns one result per message, in order.

        ``properties`` (sent only when given): one mapping (or None) per message, in the same order.

        Elements that failed in a way worth retrying are sent again (only those), within ``max_attempts``.
        Raises :class:`ProxyError` when some were still not stored; its ``result`` is this list.
        """
        results: List[Optional[BatchItemResult]] = [None] * len(messages)
        pending = list(range(len(messages)))
        backoff = Backoff(*self._backoff)
        attempts = 0
        last: Optional[ProxyError] = None
        while pending:
            attempts += 1
            params: Dict[str, Any] = {"producer": self.producer,
                                      "messages": [m if isinstance(m, str) else _json_value(m)
                                                   for m in (messages[i] for i in pending)]}
            _put(params, "tags", tags)
            _put(params, "orderId", order_id)
            if properties is not None:
                if len(properties) != len(messages):
                    raise ValueError("properties: one entry (or None) per message")
                params["properties"] = [_own(properties[i]) for i in pending]
            try:
                self._endpoint.call("POST", "/mq/produce/batch", json_body=params)
                for i in pending:
                    results[i] = BatchItemResult(200)
                pending = []
                break
            except ProxyError as e:
                last = e
                if isinstance(e.result, list) and len(e.result) == len(pending):
                    still = []
                    for i, item in zip(pending, e.result):
                        status = int(item.get("status", 500)) if isinstance(item, dict) else 500
                        results[i] = BatchItemResult(status, item.get("message") if isinstance(item, dict) else None)
                        if status != 200 and self._worth_retrying(status):
                            still.append(i)
                    pending = still
                elif self._worth_retrying(e.status):
                    for i in pending:
                        results[i] = BatchItemResult(e.status, e.message)
                else:
                    raise
            if not pending or attempts >= self.max_attempts or self._closed.is_set():
                break
            self._closed.wait(backoff.next(last.retry_after if last else None))
        final = [r if r is not None else BatchItemResult(500, "not sent") for r in results]
        failed = [r for r in final if not r.ok]
        if failed:
            raise ProxyError(last.status if last else 500, f"{len(failed)} of {len(final)} messages not stored "
                             f"after {attempts} attempt(s): {failed[0].message}", result=final,
                             code=last.code if last else None)
        return final

    def close(self) -> None:
        """Ends back-off waits under way (they raise their last error) and closes the connections."""
        self._closed.set()
        self._endpoint.close()

    def __enter__(self) -> "Producer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _worth_retrying(self, status: int) -> bool:
        if status == 300:
            return self.retry_unknown
        return status in (0, 408, 500, 503)

    def _retrying(self, path: str, params: Mapping[str, Any]) -> "tuple[Dict[str, Any], int]":
        backoff = Backoff(*self._backoff)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._endpoint.call("POST", path, json_body=params), attempt
            except ProxyError as e:
                if not self._worth_retrying(e.status) or attempt >= self.max_attempts or self._closed.is_set():
                    raise
                wait = backoff.next(e.retry_after)
            self._closed.wait(wait)


def _put(params: Dict[str, Any], name: str, value: Any) -> None:
    if value is not None:
        params[name] = value


def _text(message: Body) -> str:
    if isinstance(message, str):
        return message
    if isinstance(message, (bytes, bytearray)):
        return bytes(message).decode("utf-8")
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _json_value(message: Body) -> Any:
    if isinstance(message, (bytes, bytearray)):
        return bytes(message).decode("utf-8")
    return message


def _own(properties: Optional[Mapping[str, str]]) -> Optional[Dict[str, str]]:
    return None if properties is None else dict(properties)
