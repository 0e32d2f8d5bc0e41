"""What a consumer receives."""
import base64
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional


@dataclass(frozen=True)
class Message:
    """One delivered message, as ``/mq/message``, SSE events and webhook pushes carry it.

    ``body`` is the text as the proxy sent it: the UTF-8 body, or base64 when ``encoding`` is ``"base64"``
    (a body that is not UTF-8 text); :attr:`data` is always the bytes. ``ack_token`` is set on SSE
    messages: the requestId that acks this message alone.
    """

    message_id: str
    body: str
    timestamp: int = 0
    keys: Optional[str] = None
    tags: Optional[str] = None
    properties: Dict[str, str] = field(default_factory=dict)
    delivery_count: int = 1
    encoding: Optional[str] = None
    redelivered: bool = False
    ack_token: Optional[str] = None

    @property
    def data(self) -> bytes:
        """The body's bytes."""
        if self.encoding == "base64":
            return base64.b64decode(self.body)
        return self.body.encode("utf-8")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.data)

    @staticmethod
    def from_json(m: Mapping[str, Any], *, redelivered: bool = False, ack_token: Optional[str] = None) -> "Message":
        return Message(message_id=str(m.get("messageId", "")), body=str(m.get("message", "")),
                       timestamp=int(m.get("timestamp") or 0), keys=m.get("keys"), tags=m.get("tags"),
                       properties=dict(m.get("properties") or {}), delivery_count=int(m.get("deliveryCount") or 1),
                       encoding=m.get("encoding"), redelivered=redelivered or int(m.get("deliveryCount") or 1) > 1,
                       ack_token=ack_token)


@dataclass(frozen=True)
class Batch:
    """One poll's messages (new ones first, then those delivered again) and the requestId that acks them."""

    request_id: str
    messages: List[Message]
    status: str = "FOUND"
    consume_timeout: Optional[int] = None

    @staticmethod
    def from_result(result: Mapping[str, Any]) -> "Batch":
        fresh = [Message.from_json(m) for m in result.get("msgList") or []]
        again = [Message.from_json(m, redelivered=True) for m in result.get("retryMsgList") or []]
        return Batch(request_id=str(result.get("requestId") or ""), messages=fresh + again,
                     status=str(result.get("status") or ""), consume_timeout=result.get("consumeTimeout"))

    def __len__(self) -> int:
        return len(self.messages)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.messages)
