import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {Producer, ProxyError} from '../dist/index.js';
import {fakeProxy} from './fake.js';

const receipt = {sendStatus: 'SEND_OK', msgId: 'M1'};
const servers = [];
after(() => Promise.all(servers.map(s => s.close())));
async function fake(answer) {
  const f = await fakeProxy(answer);
  servers.push(f);
  return f;
}

test('send posts the options as a JSON body, properties only when given', async () => {
  const f = await fake(() => ({status: 200, result: receipt}));
  const p = new Producer({url: f.url + '/', producer: 'p1'});
  assert.deepEqual(await p.send({id: 1}, {keys: ['k1', 'k2'], tags: 't', orderId: 'o', delayLevel: 3, deliverAt: new Date(5000)}), receipt);
  await p.send('plain', {properties: {a: 'b'}});
  assert.equal(f.requests[0].path, '/mq/produce');
  assert.equal(f.requests[0].headers['content-type'], 'application/json');
  assert.deepEqual(f.requests[0].json, {producer: 'p1', message: '{"id":1}', keys: 'k1 k2', tags: 't', orderId: 'o', delayLevel: 3, deliveryTimestamp: 5000});
  assert.deepEqual(f.requests[1].json, {producer: 'p1', message: 'plain', properties: {a: 'b'}});
});

test('a 300 and a 503 are tried again after a back-off, then succeed', async () => {
  const answers = [{status: 300, message: 'unknown'}, {envelope: {status: 503, message: 'busy'}, headers: {'Retry-After': '0'}}, {status: 200, result: receipt}];
  const f = await fake(() => answers.shift());
  const p = new Producer({url: f.url, producer: 'p1', backoffMs: 20});
  assert.equal((await p.send('x')).msgId, 'M1');
  assert.equal(f.requests.length, 3);
  assert.ok(f.requests[2].at - f.requests[1].at >= 5, 'waited before the third try');
});

test('retries are bounded: the last 300 is thrown as unknown_outcome', async () => {
  const f = await fake(() => ({status: 300, message: 'broker timed out'}));
  const p = new Producer({url: f.url, producer: 'p1', retries: 2, backoffMs: 1});
  await assert.rejects(p.send('x'), e => e instanceof ProxyError && e.status === 300 && e.code === 'unknown_outcome'
    && e.unknownOutcome && /broker timed out/.test(e.message));
  assert.equal(f.requests.length, 3);
});

test('retryUnknown false: a 300 is thrown at once, a 503 still retried', async () => {
  const f = await fake(() => ({status: 300, message: 'unknown'}));
  const p = new Producer({url: f.url, producer: 'p1', retryUnknown: false, backoffMs: 1});
  await assert.rejects(p.send('x'), {status: 300});
  assert.equal(f.requests.length, 1);
});

test('a 400 is not retried and names the proxy message', async () => {
  const f = await fake(() => ({status: 400, message: 'delayLevel: must be 1..18'}));
  const p = new Producer({url: f.url, producer: 'p1'});
  await assert.rejects(p.send('x', {delayLevel: 99}), e => e.status === 400 && e.code === 'bad_request' && e.message.includes('delayLevel'));
  assert.equal(f.requests.length, 1);
});

test('no answer within timeoutMs is a timeout, tried again up to the bound', async () => {
  const f = await fake(() => new Promise(() => {}));
  const p = new Producer({url: f.url, producer: 'p1', timeoutMs: 100, retries: 1, backoffMs: 1});
  const began = Date.now();
  await assert.rejects(p.send('x'), e => e.code === 'timeout' && e.status === 0 && e.unknownOutcome);
  assert.equal(f.requests.length, 2);
  assert.ok(Date.now() - began < 5000);
});

test('a batch with failures throws its per-message statuses', async () => {
  const result = [{status: 200}, {status: 400, message: 'bad'}];
  const f = await fake(() => ({status: 500, message: 'some messages failed to send', result}));
  const p = new Producer({url: f.url, producer: 'p1'});
  await assert.rejects(p.sendBatch(['a', {b: 1}], {tags: 't'}), e => e.status === 500 && e.result[1].status === 400);
  assert.deepEqual(f.requests[0].json, {producer: 'p1', messages: ['a', {b: 1}], tags: 't'});
  assert.equal(f.requests[0].path, '/mq/produce/batch');
});

test('an answer that is not an envelope is a ProxyError with the HTTP code', async () => {
  const f = await fake((r, res) => {
    res.writeHead(502, {'Content-Type': 'text/html'});
    res.end('<html>bad gateway</html>');
  });
  const p = new Producer({url: f.url, producer: 'p1', retries: 0});
  await assert.rejects(p.send('x'), e => e instanceof ProxyError && e.status === 502);
});
