import {Producer} from 'mq-proxy-client';

const producer = new Producer({
  url: process.env.MQPROXY_PRODUCE_URL ?? 'http://127.0.0.1:8082',
  producer: 'mqcloud-json-test-topic-producer',
});
// Resolves once the broker stored it; a 300 (outcome unknown) or a 503 is tried again, then thrown (ProxyError).
const receipt = await producer.send({id: 11}, {keys: 'order-11', orderId: 'customer-7'});
console.log('stored', receipt.msgId);
