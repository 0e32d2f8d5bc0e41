import {Consumer} from 'mq-proxy-client';

const consumer = new Consumer({
  url: process.env.MQPROXY_CONSUME_URL ?? 'http://127.0.0.1:8081',
  topic: 'mqcloud-json-test-topic',
  consumer: 'http-clustering-consumer',
  handler: async m => console.log('got', m.message), // acked by the next poll; a throw: it comes again
}).start();
// Stops polling, lets the handler finish, gives back what it did not handle.
process.on('SIGINT', () => consumer.stop());
