// The library against the real jar (MQPROXY_JAR): two proxies, one open as the contract's clients expect, one
// requiring credentials. Skipped when MQPROXY_JAR is not set (run-tests.sh sets it).
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {bearer, BroadcastConsumer, Consumer, EventStream, Producer, ProxyError, signed, verifyWebhook} from '../dist/index.js';
import {webhookServer} from '../examples/webhook-server.mjs';
import {jar, startProxy, until} from './support.js';

const HOOK_SECRET = 'ts-hook-secret-0123456789';
const APP_SECRET = 'ts-app-secret-0123456789';

const openConfig = hookUrl => `
producers:
  - {name: mqcloud-json-test-topic-producer, topic: mqcloud-json-test-topic}
  - {name: ts-basic-p, topic: ts-basic}
  - {name: ts-redo-p, topic: ts-redo}
  - {name: ts-nack-p, topic: ts-nack}
  - {name: ts-stop-p, topic: ts-stop}
  - {name: ts-bc-p, topic: ts-bc}
  - {name: ts-hook-p, topic: ts-hook}
consumers:
  - {name: http-clustering-consumer, topic: mqcloud-json-test-topic}
  - {name: ts-basic-g, topic: ts-basic, pop: true}
  - {name: ts-redo-g, topic: ts-redo, pop: true, minConsumeTimeoutSeconds: 1, consumeTimeoutSeconds: 2}
  - {name: ts-nack-g, topic: ts-nack, pop: true}
  - {name: ts-stop-g, topic: ts-stop}
  - {name: ts-bc-g, topic: ts-bc, mode: broadcast}
  - name: ts-hook-g
    topic: ts-hook
    pop: true
    push: {url: '${hookUrl}', secret: '${HOOK_SECRET}', minBackoffMillis: 1000}
`;

const securedConfig = `
security:
  requireCredentials: true
  credentials:
    - {id: ts-app, secret: ${APP_SECRET}, producers: [ts-sec-p], consumers: [ts-sec-g, ts-sec-s]}
producers:
  - {name: ts-sec-p, topic: ts-sec}
  - {name: ts-other-p, topic: ts-other}
consumers:
  - {name: ts-sec-g, topic: ts-sec, pop: true}
  - {name: ts-sec-s, topic: ts-sec}
`;

const collect = () => {
  const got = [];
  return {got, handler: m => { got.push(m); }};
};

describe('against the jar', {skip: !jar && 'MQPROXY_JAR not set'}, () => {
  let open;
  let secured;
  let hook;
  const hooked = [];

  before(async () => {
    hook = webhookServer(HOOK_SECRET, m => hooked.push(m));
    await new Promise(resolve => hook.listen(0, '127.0.0.1', resolve));
    [open, secured] = await Promise.all([
      startProxy(openConfig(`http://127.0.0.1:${hook.address().port}/hook`), {name: 'open'}),
      startProxy(securedConfig, {name: 'secured'}),
    ]);
  });

  after(async () => {
    await Promise.all([open?.stop(), secured?.stop()]);
    hook?.close();
  });

  test('produce with keys, tags and order, a batch; consume them all, acknowledged by the next poll', async () => {
    const producer = new Producer({url: open.produceUrl, producer: 'ts-basic-p'});
    const receipt = await producer.send({id: 1}, {keys: ['k1', 'k2'], tags: 'red', orderId: 'customer-1',
      properties: {region: 'eu'}});
    assert.equal(receipt.sendStatus, 'SEND_OK');
    await producer.sendBatch(['two', {id: 3}], {properties: [{n: '2'}, null]});
    await producer.send('delayed', {delayLevel: 1});
    await producer.send('timed', {deliverAt: Date.now() + 1500});
    await assert.rejects(producer.send('x', {delayLevel: 99}), e => e instanceof ProxyError && e.status === 400 && /delayLevel/.test(e.message));

    const {got, handler} = collect();
    const consumer = new Consumer({url: open.consumeUrl, topic: 'ts-basic', consumer: 'ts-basic-g', pullTimeout: 2, pollers: 2, handler}).start();
    await until(() => got.length >= 5, 30000, 'five messages');
    await consumer.stop();
    const bodies = got.map(m => m.message).sort();
    assert.deepEqual(bodies, ['delayed', 'timed', 'two', '{"id":1}', '{"id":3}'].sort());
    const first = got.find(m => m.message === '{"id":1}');
    assert.equal(first.keys, 'k1 k2');
    assert.equal(first.tags, 'red');
    assert.equal(first.properties.region, 'eu');
    assert.equal(got.find(m => m.message === 'two').properties.n, '2');
    assert.equal(got.find(m => m.message === '{"id":3}').properties?.n, undefined);

    // acknowledged: a new consumer of the group finds nothing (the last batches were acked on stop)
    const again = collect();
    const second = new Consumer({url: open.consumeUrl, topic: 'ts-basic', consumer: 'ts-basic-g', pullTimeout: 1, handler: again.handler}).start();
    await new Promise(r => setTimeout(r, 2500));
    await second.stop();
    assert.deepEqual(again.got, []);
  });

  test('redelivery: after the batch times out, and after a handler throws (nack with a delay)', async () => {
    const producer = new Producer({url: open.produceUrl, producer: 'ts-redo-p'});
    await producer.send('slow');
    let holding;
    const stuck = new Consumer({url: open.consumeUrl, topic: 'ts-redo', consumer: 'ts-redo-g', pullTimeout: 1, consumeTimeout: 2,
      stopTimeoutMs: 100, handler: m => { holding = m; return new Promise(() => {}); }}).start();
    await until(() => holding, 20000, 'the first delivery');
    const {got, handler} = collect();
    const other = new Consumer({url: open.consumeUrl, topic: 'ts-redo', consumer: 'ts-redo-g', pullTimeout: 1, handler}).start();
    await until(() => got.length, 20000, 'the redelivery after consumeTimeout');
    assert.equal(got[0].messageId, holding.messageId);
    assert.equal(got[0].retry, true);
    assert.equal(got[0].deliveryCount, 2);
    await Promise.all([stuck.stop(), other.stop()]);

    // (a group of its own: the long polls the stops above abandoned may still wait at the proxy for ts-redo-g,
    // and a message they take is given back at once, so its first delivery to a consumer would count 2)
    await new Producer({url: open.produceUrl, producer: 'ts-nack-p'}).send('fails once');
    const seen = [];
    const failing = new Consumer({url: open.consumeUrl, topic: 'ts-nack', consumer: 'ts-nack-g', pullTimeout: 1, nackDelaySeconds: 1,
      onError: () => {}, handler: m => {
        seen.push({...m, at: Date.now()});
        if (seen.length === 1) throw new Error('not now');
      }}).start();
    await until(() => seen.length >= 2, 20000, 'the message again after the nack');
    await failing.stop();
    const trace = JSON.stringify(seen.map(m => [m.message, m.deliveryCount, m.retry]));
    assert.equal(seen[1].messageId, seen[0].messageId, trace);
    assert.equal(seen[0].deliveryCount, 1, trace);
    assert.equal(seen[1].deliveryCount, 2, trace);
    assert.equal(seen[1].retry, true, trace);
    assert.ok(seen[1].at - seen[0].at >= 900, `came again after ${seen[1].at - seen[0].at} ms, not after the 1 s delay`);
  });

  test('stop gives back what was taken and not handled: another consumer gets it at once', async () => {
    const producer = new Producer({url: open.produceUrl, producer: 'ts-stop-p'});
    for (const m of ['s1', 's2', 's3']) await producer.send(m, {orderId: 'same-queue'});
    let release;
    const first = [];
    const a = new Consumer({url: open.consumeUrl, topic: 'ts-stop', consumer: 'ts-stop-g', pullTimeout: 2, handler: m => {
      first.push(m.message);
      return new Promise(r => release = r);
    }}).start();
    await until(() => release, 20000, 'the first message');
    const stopping = a.stop();
    release();
    await stopping;
    assert.deepEqual(first, ['s1']);
    const {got, handler} = collect();
    const began = Date.now();
    const b = new Consumer({url: open.consumeUrl, topic: 'ts-stop', consumer: 'ts-stop-g', pullTimeout: 2, handler}).start();
    await until(() => got.length >= 3, 20000, 'all three again');
    await b.stop();
    assert.ok(Date.now() - began < 15000, 'given back, not waiting for the 300 s consumeTimeout');
    assert.deepEqual(got.map(m => m.message), ['s1', 's2', 's3']);
    assert.equal(got[0].deliveryCount, 2);
  });

  test('broadcast: every clientId gets every message', async () => {
    await new Producer({url: open.produceUrl, producer: 'ts-bc-p'}).send('to all');
    const a = collect();
    const b = collect();
    const ca = new BroadcastConsumer({url: open.consumeUrl, topic: 'ts-bc', consumer: 'ts-bc-g', clientId: 'ts-a', pullTimeout: 1, handler: a.handler}).start();
    const cb = new BroadcastConsumer({url: open.consumeUrl, topic: 'ts-bc', consumer: 'ts-bc-g', clientId: 'host:9/b', pullTimeout: 1, handler: b.handler}).start();
    await until(() => a.got.length && b.got.length, 30000, 'both clients');
    await Promise.all([ca.stop(), cb.stop()]);
    assert.equal(a.got[0].message, 'to all');
    assert.equal(b.got[0].message, 'to all');
  });

  test('webhook: the proxy pushes to a Node http receiver that verifies the signature; a forged request is refused', async () => {
    await new Producer({url: open.produceUrl, producer: 'ts-hook-p'}).send('pushed');
    await until(() => hooked.length, 30000, 'a webhook request');
    assert.equal(hooked[0].message, 'pushed');
    const url = `http://127.0.0.1:${hook.address().port}/hook`;
    const body = JSON.stringify({consumer: 'ts-hook-g', topic: 'ts-hook', messages: [{messageId: 'x', message: 'forged'}]});
    const t = Math.floor(Date.now() / 1000);
    const forged = await fetch(url, {method: 'POST', body, headers: {'X-MQProxy-Signature': `t=${t},v1=${'0'.repeat(64)}`}});
    assert.equal(forged.status, 401);
    assert.equal(await verifyWebhook(HOOK_SECRET, {}, body), false);
    assert.equal(hooked.length, 1);
  });

  test('credentials: bearer and signed requests are served; none is a 401, another group a 403', async () => {
    const withBearer = new Producer({url: secured.produceUrl, producer: 'ts-sec-p', credentials: bearer(APP_SECRET)});
    const withSignature = new Producer({url: secured.produceUrl, producer: 'ts-sec-p', credentials: signed('ts-app', APP_SECRET)});
    await withBearer.send('by bearer');
    await withSignature.send('by signature');
    await assert.rejects(new Producer({url: secured.produceUrl, producer: 'ts-sec-p'}).send('x'),
      e => e instanceof ProxyError && e.status === 401 && e.code === 'unauthenticated');
    await assert.rejects(new Producer({url: secured.produceUrl, producer: 'ts-sec-p', credentials: signed('ts-app', 'wrong-secret-0123456789')}).send('x'),
      e => e.status === 401 && /X-MQProxy-Signature/.test(e.message));
    await assert.rejects(new Producer({url: secured.produceUrl, producer: 'ts-other-p', credentials: bearer(APP_SECRET)}).send('x'),
      e => e.status === 403 && e.code === 'forbidden');

    const {got, handler} = collect();
    const consumer = new Consumer({url: secured.consumeUrl, topic: 'ts-sec', consumer: 'ts-sec-g', pullTimeout: 1, pollers: 2,
      credentials: signed('ts-app', APP_SECRET), handler}).start();
    await until(() => got.length >= 2, 20000, 'both messages');
    await consumer.stop();
    assert.deepEqual(got.map(m => m.message).sort(), ['by bearer', 'by signature']);
  });

  test('event stream over fetch with signed credentials: client acks, nack brings it again', async () => {
    const producer = new Producer({url: secured.produceUrl, producer: 'ts-sec-p', credentials: bearer(APP_SECRET)});
    // ts-sec-s reads the same topic from its start: the two messages of the test before, then these
    await producer.send('e1');
    await producer.send('e2');
    const stream = new EventStream({url: secured.consumeUrl, topic: 'ts-sec', consumer: 'ts-sec-s', credentials: signed('ts-app', APP_SECRET)});
    const acks = [];
    const seen = [];
    for await (const m of stream) {
      seen.push(m.message + '#' + m.deliveryCount);
      if (m.message === 'e2' && m.deliveryCount === 1) acks.push(await m.nack(0));
      else acks.push(await m.ack());
      if (seen.some(s => s === 'e2#2')) stream.close();
    }
    assert.ok(seen.includes('e1#1'), seen.join());
    assert.ok(seen.indexOf('e2#1') < seen.indexOf('e2#2'), seen.join());
    assert.ok(acks.every(a => a === 'OK'), acks.join());
    // without credentials the stream is refused before it opens
    await assert.rejects(async () => { for await (const m of new EventStream({url: secured.consumeUrl, topic: 'ts-sec', consumer: 'ts-sec-s'})) void m; },
      e => e instanceof ProxyError && e.status === 401);
  });

  test('the README snippets: examples/produce.mjs stores a message, examples/consume.mjs gets it and stops on SIGINT', async () => {
    for (const readme of ['../README.md', '../../../README.md']) {
      const text = readFileSync(new URL(readme, import.meta.url), 'utf8');
      for (const f of ['produce.mjs', 'consume.mjs']) {
        assert.ok(text.includes(readFileSync(new URL(`../examples/${f}`, import.meta.url), 'utf8')), `${readme} shows examples/${f} as it is`);
      }
    }
    const env = {...process.env, MQPROXY_PRODUCE_URL: open.produceUrl, MQPROXY_CONSUME_URL: open.consumeUrl};
    const produced = await run('produce.mjs', env, out => /stored \w+/.test(out));
    assert.equal(produced.code, 0, produced.out);
    const consumed = await run('consume.mjs', env, out => out.includes('got {"id":11}'), true);
    assert.equal(consumed.code, 0, consumed.out);
  });
});

/** Runs an example as its own process; `interrupt`: SIGINT once `ready(output)`. */
function run(file, env, ready, interrupt = false) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(`../examples/${file}`, import.meta.url))], {env});
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not finish: ${out}`));
    }, 40000);
    const watch = d => {
      out += d;
      if (interrupt && ready(out)) child.kill('SIGINT');
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('exit', code => {
      clearTimeout(timer);
      resolve({code, out});
    });
  });
}
