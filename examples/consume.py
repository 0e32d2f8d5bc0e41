#!/usr/bin/env python3
"""A consumer with the mqproxy library (clients/python, standard library only): it long-polls, acknowledges
each batch with the next poll once handle() returned, gives a batch back (delivered again after 5 s) when
handle() raises, and on Ctrl-C lets handle() finish and gives back what it did not handle. A batch that is not
acknowledged within consumeTimeout comes back."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python", "src"))
from mqproxy import Consumer  # noqa: E402 (installed with pip install ./clients/python: the line above is moot)


def handle(message):
    print(message.message_id, message.body, "delivery", message.delivery_count)


Consumer("http://127.0.0.1:8081", "mqcloud-json-test-topic", "http-clustering-consumer", handle,
         pull_timeout=10).run()
