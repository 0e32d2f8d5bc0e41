#!/usr/bin/env python3
"""A consumer loop in plain Python (standard library only): poll, handle, and acknowledge by passing the
previous requestId to the next poll. A batch that is not acknowledged within consumeTimeout comes back."""
import json
import sys
import urllib.parse
import urllib.request

BASE = "http://127.0.0.1:8081"
PARAMS = {"topic": "mqcloud-json-test-topic", "consumer": "http-clustering-consumer", "pullTimeout": "10"}


def call(path, **extra):
    query = urllib.parse.urlencode({**PARAMS, **extra})
    with urllib.request.urlopen(f"{BASE}{path}?{query}", timeout=30) as response:
        return json.load(response)


def handle(message):
    print(message["messageId"], message["message"], "delivery", message.get("deliveryCount", 1))


def main(polls):
    request_id = ""
    for _ in range(polls):
        reply = call("/mq/message", requestId=request_id)
        if reply["status"] != 200:
            print("error:", reply.get("message"), file=sys.stderr)
            continue
        result = reply["result"]
        for message in result["msgList"] + result["retryMsgList"]:
            handle(message)
        request_id = result["requestId"]  # handing it back with the next poll acknowledges this batch
    if request_id:
        call("/mq/ack", requestId=request_id)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
