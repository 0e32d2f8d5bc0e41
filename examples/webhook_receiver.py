#!/usr/bin/env python3
"""A webhook receiver for MQ-Proxy push subscriptions, on Python's own http.server and the mqproxy library
(clients/python, standard library only).

What a receiver must do:
  1. verify the signature (X-MQProxy-Signature: t=<epoch s>,v1=<hex HMAC-SHA256 of "<t>." + body>) with the
     subscription's secret, over the raw body, in constant time, and refuse an old t (a replay);
  2. answer 2xx fast: anything else, or no answer within the subscription's timeoutMillis, is a failure and the
     messages are pushed again after a back-off (past the group's retries: the dead-letter queue);
  3. be idempotent by messageId: delivery is at-least-once, a message can come twice.

Run:  MQPROXY_PUSH_SECRET=change-me-0123456789 python3 examples/webhook_receiver.py 9000
Then: consumers: [{name: orders-hook, topic: orders,
                   push: {url: 'http://127.0.0.1:9000/hook', secretEnv: MQPROXY_PUSH_SECRET}}]
  or: PUT /admin/groups/<group>/push {"url": "http://127.0.0.1:9000/hook", "secret": "change-me-0123456789"}
"""
import os
import sys
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python", "src"))
from mqproxy import Message, verify_webhook, webhook_messages  # noqa: E402 (installed: the line above is moot)


def receiver(secret: str, handle: Callable[[Message], None], remember: int = 100_000) -> type:
    """A request handler class for http.server that calls ``handle`` once per messageId it has not seen."""
    seen: "OrderedDict[str, bool]" = OrderedDict()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not verify_webhook(secret, self.headers, body):
                self.send_response(401)  # not from the proxy, altered, or replayed: never acked
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            for message in webhook_messages(body):
                if message.message_id in seen:
                    continue  # pushed again (a retry or a redelivery): handled already
                handle(message)
                seen[message.message_id] = True
                if len(seen) > remember:
                    seen.popitem(last=False)
            self.send_response(204)  # acks every message of the push
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Hook


def serve(port: int, secret: str, handle: Callable[[Message], None],
          host: str = "127.0.0.1") -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), receiver(secret, handle))


def main(argv: Optional[list] = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    port = int(args[0]) if args else 9000
    secret = os.environ.get("MQPROXY_PUSH_SECRET", "change-me-0123456789")
    server = serve(port, secret, lambda m: print("handled", m.message_id, "delivery", m.delivery_count, m.body,
                                                 flush=True))
    print("listening on", port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
