"""A client for MQ-Proxy: produce and consume Apache RocketMQ messages over HTTP, standard library only.

- :class:`Producer`: send one message or a batch, retrying what the contract says may be retried.
- :class:`Consumer`, :class:`BroadcastConsumer`: the long-poll loop, acks, nacks, pauses, stop with give-back.
- :class:`EventStream`: server-sent events with client acks.
- :func:`verify_webhook`: check a push's signature in constant time.
- :class:`BearerToken`, :class:`SignedCredentials`: data-plane credentials.
- :class:`ProxyError`: what the proxy answered, when it was not success.
"""
from ._http import BearerToken, Credentials, SignedCredentials
from .consumer import BroadcastConsumer, Consumer
from .errors import ProxyError
from .messages import Batch, Message
from .producer import BatchItemResult, Producer, SendResult
from .stream import EventStream
from .webhook import sign_webhook, verify_webhook, webhook_messages

__version__ = "0.1.0"

__all__ = [
    "Batch", "BatchItemResult", "BearerToken", "BroadcastConsumer", "Consumer", "Credentials", "EventStream",
    "Message", "Producer", "ProxyError", "SendResult", "SignedCredentials", "sign_webhook", "verify_webhook",
    "webhook_messages",
]
