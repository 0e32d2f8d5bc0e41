import assert from 'node:assert/strict';
import {test} from 'node:test';
import {bearer, EventStream, ProxyError} from '../dist/index.js';
import {fakeProxy, sleep} from './fake.js';

test('reads events over fetch with auth headers, acks and nacks by event id, reports other events', async () => {
  const f = await fakeProxy((r, res) => {
    if (r.path !== '/mq/stream') return {status: 200, result: {status: 'OK'}};
    res.writeHead(200, {'Content-Type': 'text/event-stream'});
    res.write('retry: 2000\n\n: heartbeat\n\n');
    res.write('id: tok1\nevent: message\ndata: {"messageId":"m1","message":"a","deliveryCount":1}\n\n');
    res.write('event: paused\ndata: {"reason":"group"}\n\n');
    res.write('id: tok2\nevent: message\ndata: {"messageId":"m2","message":"b","deliveryCount":2}\n\n');
  });
  const events = [];
  const s = new EventStream({url: f.url, topic: 't', consumer: 'g', credentials: bearer('tok'), maxUnacked: 4, onEvent: (e, d) => events.push([e, d])});
  const got = [];
  for await (const m of s) {
    got.push(m);
    if (got.length === 1) assert.equal(await m.ack(), 'OK');
    else {
      assert.equal(await m.nack(3), 'OK');
      s.close();
    }
  }
  await f.close();
  assert.deepEqual(got.map(m => [m.messageId, m.message, m.ackToken, m.retry]), [['m1', 'a', 'tok1', false], ['m2', 'b', 'tok2', true]]);
  assert.deepEqual(events, [['paused', {reason: 'group'}]]);
  const open = f.requests[0];
  assert.equal(open.headers.authorization, 'Bearer tok');
  assert.deepEqual(open.query, {topic: 't', consumer: 'g', maxUnacked: '4'});
  assert.deepEqual(f.requests.slice(1).map(r => [r.path, r.query.requestId, r.query.delay]), [['/mq/ack', 'tok1', undefined], ['/mq/nack', 'tok2', '3']]);
  assert.equal(f.requests[1].headers.authorization, 'Bearer tok');
});

test('reconnects after a drop with Last-Event-ID', async () => {
  let opened = 0;
  const f = await fakeProxy((r, res) => {
    opened++;
    res.writeHead(200, {'Content-Type': 'text/event-stream'});
    res.end(`id: t${opened}\ndata: {"messageId":"m${opened}"}\n\n`);
  });
  const s = new EventStream({url: f.url, topic: 't', consumer: 'g', backoffMs: 10});
  const ids = [];
  for await (const m of s) {
    ids.push(m.messageId);
    if (ids.length === 2) s.close();
  }
  await f.close();
  assert.deepEqual(ids, ['m1', 'm2']);
  assert.equal(f.requests[1].headers['last-event-id'], 't1');
});

test('a refusal before the stream opens is thrown as a ProxyError', async () => {
  const f = await fakeProxy(() => ({status: 400, message: 'consumer: the group is paused'}));
  const s = new EventStream({url: f.url, topic: 't', consumer: 'g'});
  await assert.rejects(async () => { for await (const m of s) void m; },
    e => e instanceof ProxyError && e.status === 400 && /paused/.test(e.message));
  await f.close();
});

test('consume() acks what the handler returns from and nacks what it throws on', async () => {
  const f = await fakeProxy((r, res) => {
    if (r.path !== '/mq/stream') return {status: 200, result: {status: 'OK'}};
    res.writeHead(200, {'Content-Type': 'text/event-stream'});
    res.write('id: a\ndata: {"messageId":"1"}\n\nid: b\ndata: {"messageId":"2"}\n\n');
  });
  const s = new EventStream({url: f.url, topic: 't', consumer: 'g', onError: () => {}});
  const running = s.consume(m => { if (m.messageId === '2') throw new Error('no'); }, 9);
  while (f.requests.length < 3) await sleep(5);
  s.close();
  await running;
  await f.close();
  assert.deepEqual(f.requests.slice(1).map(r => r.path + ' ' + r.query.requestId), ['/mq/ack a', '/mq/nack b']);
});

test('an error event ends the stream with a ProxyError, without reconnecting; a break closes the connection', async () => {
  const f = await fakeProxy((r, res) => {
    res.writeHead(200, {'Content-Type': 'text/event-stream'});
    res.write('id: a\ndata: {"messageId":"1"}\n\nevent: error\ndata: {"message":"group removed"}\n\n');
  });
  const s = new EventStream({url: f.url, topic: 't', consumer: 'g', backoffMs: 10});
  const ids = [];
  await assert.rejects(async () => { for await (const m of s) ids.push(m.messageId); }, e => e instanceof ProxyError && /group removed/.test(e.message));
  assert.deepEqual(ids, ['1']);
  await sleep(100);
  assert.equal(f.requests.length, 1);

  const again = new EventStream({url: f.url, topic: 't', consumer: 'g'});
  for await (const m of again) { void m; break; }
  await sleep(50);
  assert.equal(f.requests.length, 2);
  await f.close();
});
