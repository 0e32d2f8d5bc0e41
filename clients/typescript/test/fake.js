// A loopback fake of the proxy for unit tests: each request is recorded, and answered by `answer(req)`.
import http from 'node:http';

export async function fakeProxy(answer) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const url = new URL(req.url, 'http://x');
    const body = Buffer.concat(chunks).toString('utf8');
    const r = {method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), rawQuery: url.search.slice(1),
      headers: req.headers, body, json: body ? JSON.parse(body) : undefined, at: Date.now()};
    requests.push(r);
    const out = await answer(r, res);
    if (out === undefined || res.headersSent) return;
    const {headers = {}, envelope = out} = out.envelope ? out : {};
    res.writeHead(200, {'Content-Type': 'application/json', ...headers});
    res.end(JSON.stringify(envelope));
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise(resolve => {
      server.closeAllConnections?.();
      server.close(resolve);
    }),
  };
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));
