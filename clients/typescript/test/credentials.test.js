import assert from 'node:assert/strict';
import {createHash, createHmac} from 'node:crypto';
import {test} from 'node:test';
import {bearer, Producer, signed} from '../dist/index.js';
import {fakeProxy} from './fake.js';

test('bearer adds Authorization', async () => {
  assert.deepEqual(await bearer('tok').headers('GET', '/mq/message', '', new Uint8Array()), {Authorization: 'Bearer tok'});
});

test('signed: HMAC-SHA256 of METHOD, PATH, RAW_QUERY, hex(SHA-256(body)), TIMESTAMP, as the proxy checks it', async () => {
  const body = new TextEncoder().encode('{"producer":"p"}');
  const h = await signed('key-1', 's3cret-s3cret-s3cret').headers('POST', '/mq/produce', 'a=1&b=x+y', body);
  const text = ['POST', '/mq/produce', 'a=1&b=x+y', createHash('sha256').update(body).digest('hex'), h['X-MQProxy-Timestamp']].join('\n');
  assert.equal(h['X-MQProxy-Key'], 'key-1');
  assert.equal(h['X-MQProxy-Signature'], createHmac('sha256', 's3cret-s3cret-s3cret').update(text).digest('hex'));
  assert.ok(Math.abs(Number(h['X-MQProxy-Timestamp']) - Date.now()) < 5000);
});

test('signed: two requests never carry the same timestamp (a signature is accepted once)', async () => {
  const c = signed('k', 'secret');
  const stamps = await Promise.all(Array.from({length: 50}, () => c.headers('GET', '/mq/message', 'q', new Uint8Array())));
  assert.equal(new Set(stamps.map(h => h['X-MQProxy-Timestamp'])).size, 50);
});

test('a producer signs exactly the bytes it sends', async () => {
  const f = await fakeProxy(() => ({status: 200, result: {sendStatus: 'SEND_OK', msgId: 'x'}}));
  try {
    await new Producer({url: f.url, producer: 'p', credentials: signed('k', 'sec')}).send('héllo');
    const r = f.requests[0];
    const text = ['POST', '/mq/produce', '', createHash('sha256').update(r.body, 'utf8').digest('hex'), r.headers['x-mqproxy-timestamp']].join('\n');
    assert.equal(r.headers['x-mqproxy-signature'], createHmac('sha256', 'sec').update(text).digest('hex'));
  } finally {
    await f.close();
  }
});

test('without globalThis.crypto (Node 18), WebCrypto comes from node:crypto', async () => {
  const own = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', {value: undefined, configurable: true, writable: true});
  try {
    assert.equal(globalThis.crypto, undefined);
    const fresh = await import('../dist/crypto.js?node18');
    assert.equal(await fresh.hmacSha256Hex('k', new TextEncoder().encode('text')), createHmac('sha256', 'k').update('text').digest('hex'));
  } finally {
    Object.defineProperty(globalThis, 'crypto', own);
  }
});
