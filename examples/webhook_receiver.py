#!/usr/bin/env python3
"""A webhook receiver for MQ-Proxy push subscriptions, Python standard library only.

What a receiver must do:
  1. verify the signature (X-MQProxy-Signature: t=<epoch s>,v1=<hex HMAC-SHA256 of "<t>." + body>) with the
     subscription's secret, and refuse an old t (a replay);
  2. answer 2xx fast: anything else, or no answer within the subscription's timeoutMillis, is a failure and the
     messages are pushed again after a back-off (past the group's retries: the dead-letter queue);
  3. be idempotent by messageId: delivery is at-least-once, a message can come twice.

Run:  MQPROXY_PUSH_SECRET=change-me-0123456789 python3 examples/webhook_receiver.py 9000
Then: consumers: [{name: orders-hook, topic: orders,
                   push: {url: 'http://127.0.0.1:9000/hook', secretEnv: MQPROXY_PUSH_SECRET}}]
"""
import hashlib
import hmac
import json
import os
import sys
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("MQPROXY_PUSH_SECRET", "change-me-0123456789").encode()
TOLERANCE_SECONDS = 300
SEEN = OrderedDict()  # messageIds handled lately; a real receiver keeps them with its own data
SEEN_MAX = 100_000


def verify(header, body, now=None):
    """True when the header signs this body with our secret, within the tolerance."""
    try:
        fields = dict(part.strip().split("=", 1) for part in (header or "").split(","))
        t = int(fields["t"])
        given = bytes.fromhex(fields["v1"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - t) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(SECRET, str(t).encode() + b"." + body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, given)


def handle(message):
    print("handled", message["messageId"], "delivery", message["deliveryCount"], message["message"], flush=True)


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not verify(self.headers.get("X-MQProxy-Signature"), body):
            self.send_response(401)  # not from the proxy, altered, or replayed: never acked
            self.end_headers()
            return
        push = json.loads(body)
        for m in push["messages"]:
            if m["messageId"] in SEEN:
                continue  # delivered again (a retry, or a redelivery): handled already
            handle(m)
            SEEN[m["messageId"]] = True
            if len(SEEN) > SEEN_MAX:
                SEEN.popitem(last=False)
        self.send_response(204)  # acks every message of the request
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    print("listening on", port, flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Hook).serve_forever()
