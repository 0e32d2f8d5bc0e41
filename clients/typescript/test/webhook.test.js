import assert from 'node:assert/strict';
import {createHmac} from 'node:crypto';
import {test} from 'node:test';
import {verifyWebhook} from '../dist/index.js';

const secret = 'a-webhook-secret-of-some-length';
const body = '{"consumer":"g","topic":"t","messages":[{"messageId":"1","message":"héllo"}]}';
const now = 1_800_000_000;
const sig = (t, b = body, s = secret) => `t=${t},v1=` + createHmac('sha256', s).update(`${t}.`).update(Buffer.from(b, 'utf8')).digest('hex');

test('accepts the proxy signature over the raw body: bytes, text, Headers or a plain object', async () => {
  assert.equal(await verifyWebhook(secret, {'x-mqproxy-signature': sig(now)}, Buffer.from(body), {nowSeconds: now}), true);
  assert.equal(await verifyWebhook(secret, {'X-MQProxy-Signature': sig(now)}, body, {nowSeconds: now + 299}), true);
  assert.equal(await verifyWebhook(secret, new Headers({'X-MQProxy-Signature': sig(now)}), new TextEncoder().encode(body).buffer, {nowSeconds: now}), true);
});

test('refuses a changed body, another secret, an old or future t, a bad header', async () => {
  const h = {'x-mqproxy-signature': sig(now)};
  assert.equal(await verifyWebhook(secret, h, body.replace('héllo', 'hello'), {nowSeconds: now}), false);
  assert.equal(await verifyWebhook(secret + 'x', h, body, {nowSeconds: now}), false);
  assert.equal(await verifyWebhook(secret, h, body, {nowSeconds: now + 301}), false);
  assert.equal(await verifyWebhook(secret, h, body, {nowSeconds: now - 301}), false);
  assert.equal(await verifyWebhook(secret, h, body, {nowSeconds: now + 60, toleranceSeconds: 30}), false);
  for (const bad of [undefined, '', 'v1=abcd', `t=${now}`, `t=x,v1=00`, `t=${now},v1=zz`, sig(now).slice(0, -2)]) {
    assert.equal(await verifyWebhook(secret, bad === undefined ? {} : {'x-mqproxy-signature': bad}, body, {nowSeconds: now}), false, String(bad));
  }
});

test('a t that is not the one signed fails', async () => {
  const forged = sig(now).replace(`t=${now}`, `t=${now + 1}`);
  assert.equal(await verifyWebhook(secret, {'x-mqproxy-signature': forged}, body, {nowSeconds: now}), false);
});
