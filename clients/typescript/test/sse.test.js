import assert from 'node:assert/strict';
import {test} from 'node:test';
import {SseParser} from '../dist/index.js';

test('events split across chunks, CRLF and CR, comments, multi-line data, retry', () => {
  const events = [];
  let retry;
  const p = new SseParser(e => events.push(e), ms => retry = ms);
  for (const chunk of ['retry: 2000\n: heartbeat\n\nid: a1\nev', 'ent: message\ndata: {"x":', '1}\r', '\n\r\n', 'data: l1\rdata: l2\r\r',
    'event: paused\ndata: {"reason":"group"}\n\n', 'id: only-id\n\n']) {
    p.push(chunk);
  }
  assert.equal(retry, 2000);
  assert.deepEqual(events, [
    {id: 'a1', event: 'message', data: '{"x":1}'},
    {id: 'a1', event: 'message', data: 'l1\nl2'},
    {id: 'a1', event: 'paused', data: '{"reason":"group"}'},
  ]);
});
