#!/usr/bin/env python3
"""A webhook receiver for MQ-Proxy push subscriptions on Python's own http.server, with the mqproxy library.

It does what a receiver must: verifies X-MQProxy-Signature over the raw body in constant time (refusing old
timestamps: replays), answers 2xx fast (the answer acks the push; anything else has it pushed again), and skips
a messageId it has handled already (delivery is at-least-once).

Run:  MQPROXY_PUSH_SECRET=change-me-0123456789 python3 webhook_server.py 9000
Then: PUT /admin/groups/<group>/push {"url": "http://127.0.0.1:9000/hook", "secret": "change-me-0123456789"}
"""
import os
import sys
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

from mqproxy import Message, verify_webhook, webhook_messages


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
