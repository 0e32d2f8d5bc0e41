"""Webhook pushes: checking ``X-MQProxy-Signature`` and reading the body, for any web framework."""
import hashlib
import hmac
import json
import time
from typing import Any, List, Mapping, Optional, Union

from .messages import Message

SIGNATURE_HEADER = "X-MQProxy-Signature"
#: How far a push's signed time may be from now, in seconds: older ones are refused as replays.
DEFAULT_TOLERANCE_SECONDS = 300

Headers = Union[Mapping[str, str], Any]  # a Mapping, or anything with get(name) (http.server, email.message)


def sign_webhook(secret: Union[str, bytes], raw_body: bytes, timestamp: Optional[int] = None) -> str:
    """The header's value the proxy sends for ``raw_body``: ``t=<epoch seconds>,v1=<hex HMAC-SHA256 of
    "<t>." + body>``. For tests of a receiver."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return "t=%d,v1=%s" % (t, hmac.new(key, b"%d." % t + raw_body, hashlib.sha256).hexdigest())


def verify_webhook(secret: Union[str, bytes], headers: Headers, raw_body: bytes, *,
                   tolerance: float = DEFAULT_TOLERANCE_SECONDS, now: Optional[float] = None) -> bool:
    """True when the push's ``X-MQProxy-Signature`` signs exactly ``raw_body`` (the bytes as received, before
    any parsing) with ``secret``, and its time is within ``tolerance`` seconds of ``now``. Compared in
    constant time. ``headers``: a mapping (any case of the name) or an object with ``get`` (http.server's
    ``self.headers``); a header value may also be given as ``headers`` itself (a str).
    """
    header = headers if isinstance(headers, str) else _header(headers, SIGNATURE_HEADER)
    if not header or not isinstance(raw_body, (bytes, bytearray)):
        return False
    t: Optional[int] = None
    given: List[bytes] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                t = int(value)
            except ValueError:
                return False
        elif name == "v1":
            try:
                given.append(bytes.fromhex(value))
            except ValueError:
                return False
    if t is None or t < 0 or not given:
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    expected = hmac.new(key, b"%d." % t + bytes(raw_body), hashlib.sha256).digest()
    ok = False
    for candidate in given:  # every candidate compared, whatever the earlier ones gave
        ok = hmac.compare_digest(expected, candidate) or ok
    return ok


def webhook_messages(raw_body: bytes) -> List[Message]:
    """The messages of a push body ``{"consumer", "topic", "messages": [...]}`` (verify it first)."""
    push = json.loads(raw_body)
    return [Message.from_json(m) for m in push.get("messages") or []]


def _header(headers: Headers, name: str) -> Optional[str]:
    getter = getattr(headers, "get", None)
    if getter is not None:
        value = getter(name)
        if value is None and isinstance(headers, Mapping):
            lower = name.lower()
            value = next((v for k, v in headers.items() if str(k).lower() == lower), None)
        return None if value is None else str(value)
    return None
