import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {BroadcastConsumer, Consumer} from '../dist/index.js';
import {fakeProxy, sleep} from './fake.js';

const servers = [];
after(() => Promise.all(servers.map(s => s.close())));

/** A fake whose polls hand out `batches` in turn (rid b1, b2, ...), then empty answers after a short wait. */
async function fake(batches, {onPoll, empty = {status: 'NO_NEW_MSG'}} = {}) {
  let n = 0;
  const f = await fakeProxy(async r => {
    if (r.path === '/mq/message') {
      const special = onPoll?.(r);
      if (special) return special;
      const b = batches.shift();
      if (!b) {
        await sleep(20);
        return {status: 200, result: {...empty, requestId: '', msgList: [], retryMsgList: []}};
      }
      n++;
      return {status: 200, result: {status: 'FOUND', requestId: 'b' + n, msgList: b.map(id => ({messageId: id, message: 'm' + id, timestamp: 1})), retryMsgList: []}};
    }
    return {status: 200, result: {status: 'OK'}};
  });
  servers.push(f);
  return f;
}

const polls = f => f.requests.filter(r => r.path === '/mq/message');
const settles = f => f.requests.filter(r => r.path !== '/mq/message').map(r => r.path + ' ' + r.query.requestId + (r.query.delay ? ' delay=' + r.query.delay : ''));

test('each poll acknowledges the previous batch; stop acks the last one', async () => {
  const f = await fake([['1', '2'], ['3']]);
  const seen = [];
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', pullTimeout: 1, maxPullSize: 2, handler: m => seen.push(m.messageId)}).start();
  while (polls(f).length < 3) await sleep(5);
  await c.stop();
  assert.deepEqual(seen, ['1', '2', '3']);
  const p = polls(f);
  assert.deepEqual(p.slice(0, 3).map(r => r.query.requestId), ['', 'b1', 'b2']);
  assert.deepEqual(p[0].query, {topic: 't', consumer: 'g', requestId: '', maxPullSize: '2', pullTimeout: '1'});
  // the poll that followed b2 carried it; the consumer acks it again on stop only if it was not carried yet
  assert.ok(settles(f).every(s => s.startsWith('/mq/ack')));
});

test('a throwing handler gives its batch back with a delay, and the next poll starts afresh', async () => {
  const f = await fake([['1', '2'], ['3']]);
  const errors = [];
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', nackDelaySeconds: 7, onError: e => errors.push(e),
    handler: m => { if (m.messageId === '2') throw new Error('boom'); }}).start();
  while (polls(f).length < 3) await sleep(5);
  await c.stop();
  assert.deepEqual(settles(f).slice(0, 1), ['/mq/nack b1 delay=7']);
  assert.deepEqual(polls(f).slice(1, 3).map(r => r.query.requestId), ['', 'b2']);
  assert.equal(errors[0].message, 'boom');
});

test('a batch handler gets the whole batch, retries marked', async () => {
  const f = await fakeProxy(r => r.path === '/mq/message'
    ? {status: 200, result: {status: 'FOUND', requestId: 'r', msgList: [{messageId: 'a'}], retryMsgList: [{messageId: 'b', deliveryCount: 2}]}}
    : {status: 200, result: {status: 'OK'}});
  servers.push(f);
  let got;
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', batchHandler: ms => { got ??= ms; }}).start();
  while (!got) await sleep(5);
  await c.stop();
  assert.deepEqual(got.map(m => [m.messageId, m.retry]), [['a', false], ['b', true]]);
});

test('PAUSED and RATE_LIMITED wait before the next poll instead of spinning', async () => {
  for (const status of ['PAUSED', 'RATE_LIMITED']) {
    const f = await fake([], {empty: {status}});
    const c = new Consumer({url: f.url, topic: 't', consumer: 'g', handler: () => {}, pausedWaitMs: 300, rateLimitedWaitMs: 300}).start();
    await sleep(700);
    await c.stop();
    assert.ok(polls(f).length <= 3, `${status}: ${polls(f).length} polls in 700 ms`);
  }
});

test('a 503 backs off and retries with the same requestId; other errors start afresh', async () => {
  let calls = 0;
  const f = await fake([['1']], {onPoll: r => {
    calls++;
    if (calls === 2) return {envelope: {status: 503, message: 'polls in flight at their bound'}, headers: {'Retry-After': '0'}};
    if (calls === 3) return {status: 400, message: 'requestId: not valid'};
  }});
  const errors = [];
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', backoffMs: 10, handler: () => {}, onError: e => errors.push(e)}).start();
  while (polls(f).length < 4) await sleep(5);
  await c.stop();
  assert.deepEqual(polls(f).slice(0, 4).map(r => r.query.requestId), ['', 'b1', 'b1', '']);
  assert.deepEqual(errors.map(e => e.status), [503, 400]);
  assert.equal(errors[0].code, 'overloaded');
});

test('stop lets a running handler finish, then acks its batch', async () => {
  const f = await fake([['1']]);
  let release;
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', handler: () => new Promise(r => release = r)}).start();
  while (!release) await sleep(5);
  const stopped = c.stop();
  await sleep(50);
  release();
  await stopped;
  assert.deepEqual(settles(f), ['/mq/ack b1']);
});

test('stop gives back what a batch did not handle: at once after the current message, or after stopTimeoutMs', async () => {
  const f = await fake([['1', '2', '3']]);
  let release;
  const seen = [];
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', handler: m => { seen.push(m.messageId); return new Promise(r => release = r); }}).start();
  while (!release) await sleep(5);
  const stopped = c.stop();
  release();
  await stopped;
  assert.deepEqual(seen, ['1']);
  assert.deepEqual(settles(f), ['/mq/unlock b1']);

  const g = await fake([['1']]);
  const began = Date.now();
  let running = false;
  const stuck = new Consumer({url: g.url, topic: 't', consumer: 'g', stopTimeoutMs: 200, handler: () => { running = true; return new Promise(() => {}); }}).start();
  while (!running) await sleep(5);
  await stuck.stop();
  assert.ok(Date.now() - began < 5000);
  assert.deepEqual(settles(g), ['/mq/unlock b1']);
});

test('stop abandons a waiting long poll at once', async () => {
  const f = await fakeProxy(() => new Promise(() => {}));
  servers.push(f);
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', handler: () => {}, pullTimeout: 30}).start();
  while (f.requests.length < 1) await sleep(5);
  const began = Date.now();
  await c.stop();
  assert.ok(Date.now() - began < 2000);
});

test('N pollers poll side by side, each with its own requestId', async () => {
  const f = await fake([['1'], ['2'], ['3'], ['4']]);
  const releases = [];
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', pollers: 4, handler: () => new Promise(r => releases.push(r))}).start();
  // four handlers running at once: only four pollers side by side can have taken four batches
  while (releases.length < 4) await sleep(5);
  assert.deepEqual(polls(f).map(r => r.query.requestId), ['', '', '', '']);
  const stopped = c.stop();
  releases.forEach(r => r());
  await stopped;
  assert.deepEqual(settles(f).sort(), ['/mq/ack b1', '/mq/ack b2', '/mq/ack b3', '/mq/ack b4']);
});

test('a broadcast consumer sends its clientId and needs one', async () => {
  assert.throws(() => new BroadcastConsumer({url: 'http://x', topic: 't', consumer: 'g', handler: () => {}}), /clientId/);
  const f = await fake([['1']]);
  let done;
  const c = new BroadcastConsumer({url: f.url, topic: 't', consumer: 'g', clientId: 'host:1', handler: () => { done = true; }}).start();
  while (!done) await sleep(5);
  await c.stop();
  assert.ok(f.requests.every(r => r.query.clientId === 'host:1'));
});

test('empty answers that come at once back off from idleBackoffMs, doubling to idleWaitMs; a batch resets it', async () => {
  const answers = [...Array(6).fill('empty'), 'batch', 'empty', 'empty'];
  let n = 0;
  const f = await fake([], {onPoll: () => {
    const a = answers[n++] ?? 'empty';
    return {status: 200, result: a === 'batch'
      ? {status: 'FOUND', requestId: 'b1', msgList: [{messageId: '1', message: 'm', timestamp: 1}], retryMsgList: []}
      : {status: 'NO_NEW_MSG', requestId: '', msgList: [], retryMsgList: []}};
  }});
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', pullTimeout: 0, idleBackoffMs: 50, idleWaitMs: 400, handler: () => {}}).start();
  while (polls(f).length < 10) await sleep(5);
  await c.stop();
  const at = polls(f).map(r => r.at);
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  // waits 25-50, 50-100, 100-200, 200-400, then 200-400 (bounded: unbounded they would be 400-800, 800-1600)
  assert.ok(gaps[0] < 150, `first wait short: ${gaps}`);
  assert.ok(gaps[2] >= 100, `grows: ${gaps}`);
  assert.ok(gaps[4] >= 200 && gaps[5] >= 200, `grows to the bound: ${gaps}`);
  assert.ok(gaps[5] < 800, `bounded by idleWaitMs: ${gaps}`);
  // poll 7 got the batch: the next poll goes at once, and the empty answer after it waits a first step again
  assert.ok(gaps[6] < 150 && gaps[7] < 150, `reset after a batch: ${gaps}`);
});

test('by default an empty answer at pullTimeout 0 waits 50-100 ms first, not a flat second', async () => {
  const f = await fake([], {onPoll: () => ({status: 200, result: {status: 'NO_NEW_MSG', requestId: '', msgList: [], retryMsgList: []}})});
  const c = new Consumer({url: f.url, topic: 't', consumer: 'g', pullTimeout: 0, handler: () => {}}).start();
  while (polls(f).length < 2) await sleep(5);
  await c.stop();
  const [a, b] = polls(f).map(r => r.at);
  assert.ok(b - a < 400, `first wait ${b - a} ms`);
});
