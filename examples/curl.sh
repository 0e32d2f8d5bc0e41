#!/usr/bin/env bash
# Produce and consume with curl against a proxy started with the default configuration.
set -euo pipefail
PRODUCE=${PRODUCE:-http://127.0.0.1:8082}
CONSUME=${CONSUME:-http://127.0.0.1:8081}

# One message, with a key and an orderId (same orderId -> same queue, in order).
curl -s -X POST "$PRODUCE/mq/produce" \
  -d producer=mqcloud-json-test-topic-producer -d message='{"id":1}' -d keys=order-1 -d orderId=customer-7
echo
# A batch: a JSON array; strings are sent as text, other values as their JSON.
curl -s -X POST "$PRODUCE/mq/produce/batch" -H 'Content-Type: application/json' \
  -d '{"producer":"mqcloud-json-test-topic-producer","messages":[{"id":2},{"id":3},"plain text"]}'
echo

# Consume: the first poll sends an empty requestId; each next poll passes the previous one, which acknowledges
# that batch. pullTimeout=5 waits up to 5 s for a message (long polling).
rid=""
for _ in 1 2 3; do
  reply=$(curl -s "$CONSUME/mq/message?topic=mqcloud-json-test-topic&consumer=http-clustering-consumer&pullTimeout=5&requestId=$rid")
  echo "$reply"
  rid=$(printf '%s' "$reply" | sed -n 's/.*"requestId":"\([A-Za-z0-9_-]*\)".*/\1/p')
done
# A client that stops polling acknowledges its last batch explicitly.
[ -n "$rid" ] && curl -s "$CONSUME/mq/ack?topic=mqcloud-json-test-topic&consumer=http-clustering-consumer&requestId=$rid"
echo
