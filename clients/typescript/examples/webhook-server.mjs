// A webhook receiver on Node's http: checks X-MQProxy-Signature over the raw body, answers 2xx at once (which acks
// the messages), then handles them. Run: HOOK_SECRET=... PORT=9000 node webhook-server.mjs
import http from 'node:http';
import {pathToFileURL} from 'node:url';
import {verifyWebhook} from 'mq-proxy-client';

export function webhookServer(secret, handle) {
  return http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks); // the raw bytes: never JSON.parse and stringify before verifying
    if (req.method !== 'POST' || !(await verifyWebhook(secret, req.headers, body))) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(204).end(); // answer fast: slow work after the answer, or it counts against timeoutMillis
    const {consumer, messages} = JSON.parse(body.toString('utf8'));
    for (const m of messages) await handle(m, consumer); // at-least-once: be idempotent by m.messageId
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  webhookServer(process.env.HOOK_SECRET, m => console.log('got', m.messageId, m.message))
    .listen(Number(process.env.PORT ?? 9000));
}
