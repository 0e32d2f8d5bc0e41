#!/usr/bin/env python3
"""Produce from plain Python (standard library only). status 200 means stored; 300 means the broker did not
answer in time (the message may or may not be stored): retry if it must be stored."""
import json
import urllib.parse
import urllib.request

BASE = "http://127.0.0.1:8082"


def produce(message, **params):
    body = urllib.parse.urlencode({"producer": "mqcloud-json-test-topic-producer", "message": message, **params})
    request = urllib.request.Request(f"{BASE}/mq/produce", data=body.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


if __name__ == "__main__":
    for i in range(3):
        reply = produce(json.dumps({"id": i}), keys=f"order-{i}")
        print(reply["status"], reply.get("result", {}).get("msgId"), reply.get("message", ""))
