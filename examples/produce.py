#!/usr/bin/env python3
"""Produce with the mqproxy library (clients/python, standard library only). send() returns once the broker
stored the message; a 300 (the broker did not answer in time: maybe stored) and a 503 (busy) are retried with
back-off, and what still fails raises ProxyError with the proxy's status and message."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python", "src"))
from mqproxy import Producer  # noqa: E402 (installed with pip install ./clients/python: the line above is moot)

with Producer("http://127.0.0.1:8082", "mqcloud-json-test-topic-producer") as producer:
    for i in range(3):
        receipt = producer.send(json.dumps({"id": i}), keys=f"order-{i}")
        print(receipt.send_status, receipt.msg_id)
