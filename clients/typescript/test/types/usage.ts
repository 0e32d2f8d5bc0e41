// Compiled (not run) by `npm test`: the declarations in dist/ serve a TypeScript user as the README shows.
import {bearer, BroadcastConsumer, Consumer, EventStream, Message, Producer, ProxyError, SendReceipt, signed, StreamMessage, verifyWebhook} from '../../dist/index.js';

export async function usage(): Promise<void> {
  const producer = new Producer({url: 'http://127.0.0.1:8082', producer: 'p', credentials: bearer('t'), retries: 2});
  const receipt: SendReceipt = await producer.send({id: 1}, {keys: ['a'], tags: 't', orderId: 'o', delayLevel: 1, deliverAt: new Date(), properties: {k: 'v'}});
  await producer.sendBatch(['a', {b: 1}], {tags: 't'});
  const consumer = new Consumer({url: 'http://127.0.0.1:8081', topic: 't', consumer: 'g', credentials: signed('k', 's'), pollers: 2,
    handler: async (m: Message, {signal}) => { if (signal.aborted || m.retry) return; }}).start();
  await consumer.stop();
  new BroadcastConsumer({url: 'u', topic: 't', consumer: 'g', clientId: 'c', batchHandler: (ms: Message[]) => ms.length});
  const stream = new EventStream({url: 'u', topic: 't', consumer: 'g', ack: 'client'});
  for await (const m of stream) {
    const s: StreamMessage = m;
    const status: string = await s.ack();
    void status;
  }
  const ok: boolean = await verifyWebhook('secret', new Headers(), new Uint8Array(), {toleranceSeconds: 60});
  try {
    void receipt.msgId;
  } catch (e) {
    if (e instanceof ProxyError && e.code === 'unknown_outcome' && e.status === 300 && ok) throw e;
  }
}
