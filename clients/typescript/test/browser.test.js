// The same package in a real browser (Debian's headless Chromium, when installed): produce with a signature made
// by WebCrypto, a consumer loop, an event stream over fetch with a bearer token, a webhook check; against a fake
// of the proxy on the page's own origin.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {createHash, createHmac} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import http from 'node:http';
import {test} from 'node:test';

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
const dist = new URL('../dist/', import.meta.url);
const SECRET = 'browser-hook-secret-0123';
const BODY = '{"messages":[{"messageId":"w1"}]}';
const NOW = 1_800_000_000;
const SIG = `t=${NOW},v1=` + createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');

const page = `<!doctype html><meta charset="utf-8"><pre id="out">running</pre>
<script type="module">
import {bearer, Consumer, EventStream, Producer, signed, verifyWebhook} from '/dist/index.js';
const out = {};
try {
  out.sent = (await new Producer({url: location.origin, producer: 'p', credentials: signed('k1', 'sign-secret')}).send({a: 1})).msgId;
  const got = [];
  const c = new Consumer({url: location.origin, topic: 't', consumer: 'g', handler: m => { got.push(m.message); }}).start();
  while (!got.length) await new Promise(r => setTimeout(r, 10));
  await c.stop();
  out.consumed = got;
  const s = new EventStream({url: location.origin, topic: 't', consumer: 'g', credentials: bearer('tok')});
  for await (const m of s) {
    out.streamed = m.message;
    out.ack = await m.ack();
    s.close();
  }
  out.webhook = await verifyWebhook(${JSON.stringify(SECRET)}, new Headers({'X-MQProxy-Signature': ${JSON.stringify(SIG)}}), ${JSON.stringify(BODY)}, {nowSeconds: ${NOW}});
  out.forged = await verifyWebhook(${JSON.stringify(SECRET)}, {'x-mqproxy-signature': ${JSON.stringify(SIG)}}, '{}', {nowSeconds: ${NOW}});
} catch (e) {
  out.error = String(e);
}
document.getElementById('out').textContent = JSON.stringify(out);
</script>`;

test('the package runs in a browser: signed produce, consumer loop, event stream, webhook check', {skip: !chromium && 'no chromium'}, async () => {
  const seen = [];
  let polled = 0;
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    const json = o => res.writeHead(200, {'Content-Type': 'application/json'}).end(JSON.stringify(o));
    seen.push({path: url.pathname, requestId: url.searchParams.get('requestId'), headers: req.headers, body});
    if (url.pathname === '/page.html') return res.writeHead(200, {'Content-Type': 'text/html'}).end(page);
    if (url.pathname.startsWith('/dist/')) {
      return res.writeHead(200, {'Content-Type': 'text/javascript'}).end(readFileSync(new URL(url.pathname.slice(6), dist)));
    }
    if (url.pathname === '/mq/produce') return json({status: 200, result: {sendStatus: 'SEND_OK', msgId: 'M1'}});
    if (url.pathname === '/mq/message') {
      polled++;
      return json({status: 200, result: polled === 1
        ? {status: 'FOUND', requestId: 'r1', msgList: [{messageId: 'x', message: 'polled'}], retryMsgList: []}
        : {status: 'NO_NEW_MSG', requestId: '', msgList: [], retryMsgList: []}});
    }
    if (url.pathname === '/mq/stream') {
      res.writeHead(200, {'Content-Type': 'text/event-stream'});
      return res.write('id: tok1\nevent: message\ndata: {"messageId":"s1","message":"streamed"}\n\n');
    }
    if (url.pathname === '/mq/ack') return json({status: 200, result: {status: 'OK'}});
    res.writeHead(404).end();
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  try {
    const dom = await new Promise((resolve, reject) => execFile(chromium,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--virtual-time-budget=20000', '--dump-dom',
        `http://127.0.0.1:${server.address().port}/page.html`], {timeout: 60000}, (e, stdout, stderr) => e ? reject(new Error(stderr || e.message)) : resolve(stdout)));
    const text = /<pre id="out">([^<]*)<\/pre>/.exec(dom)?.[1] ?? dom;
    const out = JSON.parse(text.replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
    assert.deepEqual(out, {sent: 'M1', consumed: ['polled'], streamed: 'streamed', ack: 'OK', webhook: true, forged: false});
    const produce = seen.find(r => r.path === '/mq/produce');
    const text2 = ['POST', '/mq/produce', '', createHash('sha256').update(produce.body).digest('hex'), produce.headers['x-mqproxy-timestamp']].join('\n');
    assert.equal(produce.headers['x-mqproxy-signature'], createHmac('sha256', 'sign-secret').update(text2).digest('hex'));
    assert.equal(seen.find(r => r.path === '/mq/stream').headers.authorization, 'Bearer tok');
    assert.ok(seen.some(r => r.path === '/mq/message' && r.requestId === 'r1'), 'the next poll acknowledged the batch');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
