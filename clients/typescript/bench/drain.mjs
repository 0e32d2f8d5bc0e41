// Drain throughput through the library's Consumer next to a bare fetch loop that does what the project's own
// benchmark client does (ConsumeBenchmark's HTTP drain: N clients, maxPullSize 32, each poll acking the previous
// batch, a 1024-byte body, a fresh concurrent group per run), on one proxy jar, in alternating rounds.
// Measured, not asserted:  node bench/drain.mjs <path to mq-proxy.jar>   (after npm run build)
// Settings by environment: BENCH_MESSAGES (20000), BENCH_SIZE (1024), BENCH_CLIENTS (16), BENCH_PULL (32),
// BENCH_ROUNDS (3), BENCH_PULL_TIMEOUT (0).
import {Consumer, Producer} from '../dist/index.js';
import {resolve} from 'node:path';
import {startProxy} from '../test/support.js';

const env = (k, d) => Number(process.env[k] ?? d);
const messages = env('BENCH_MESSAGES', 20000);
const size = env('BENCH_SIZE', 1024);
const clients = env('BENCH_CLIENTS', 16);
const pull = env('BENCH_PULL', 32);
const rounds = env('BENCH_ROUNDS', 3);
const pullTimeout = env('BENCH_PULL_TIMEOUT', 0);
const jarPath = resolve(process.argv[2] ?? process.env.MQPROXY_JAR ?? '../../target/mq-proxy.jar');

const groups = [];
for (let r = 0; r <= rounds; r++) for (const k of ['raw', 'lib']) groups.push(`bench-${k}-${r}`);
const proxy = await startProxy(`producers:\n  - {name: bench-p, topic: bench-t}\nconsumers:\n${groups.map(g => `  - {name: ${g}, topic: bench-t, pop: true}`).join('\n')}\n`, {name: 'bench', jarPath});

/** The bare loop: what ConsumeBenchmark's Poller does, on fetch. */
async function drainRaw(group, target) {
  let delivered = 0;
  let polls = 0;
  let reachedAt = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({length: clients}, async () => {
    let requestId = '';
    while (delivered < target) {
      const q = `topic=bench-t&consumer=${group}&pop=true&maxPullSize=${pull}&pullTimeout=${pullTimeout}&requestId=${requestId}`;
      const reply = await (await fetch(`${proxy.consumeUrl}/mq/message?${q}`)).json();
      polls++;
      if (reply.status !== 200) throw new Error(JSON.stringify(reply));
      requestId = reply.result.requestId ?? '';
      delivered += reply.result.msgList.length + reply.result.retryMsgList.length;
      if (delivered >= target && !reachedAt) reachedAt = performance.now();
    }
    if (requestId) await fetch(`${proxy.consumeUrl}/mq/ack?topic=bench-t&consumer=${group}&requestId=${requestId}`);
  }));
  return {delivered, polls, ms: reachedAt - t0};
}

/** The library: Consumer with as many pollers, a per-message handler that only counts. */
async function drainLib(group, target) {
  let reachedAt = 0;
  let reached;
  const done = new Promise(r => reached = r);
  let polls = 0;
  const counting = (url, init) => {
    if (String(url).includes('/mq/message')) polls++;
    return fetch(url, init);
  };
  const t0 = performance.now();
  const c = new Consumer({url: proxy.consumeUrl, topic: 'bench-t', consumer: group, pop: true, pollers: clients, maxPullSize: pull,
    pullTimeout, fetch: counting, handler: () => {
      if (c.handled + 1 >= target && !reachedAt) {
        reachedAt = performance.now();
        reached();
      }
    }}).start();
  await done;
  await c.stop();
  return {delivered: c.handled, polls, ms: reachedAt - t0};
}

try {
  const producer = new Producer({url: proxy.produceUrl, producer: 'bench-p'});
  const body = 'x'.repeat(size);
  const t0 = performance.now();
  for (let sent = 0; sent < messages; sent += 250) {
    await producer.sendBatch(Array.from({length: Math.min(250, messages - sent)}, () => body));
  }
  console.log(`backlog: ${messages} x ${size} B in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${clients} clients, maxPullSize ${pull}, pullTimeout ${pullTimeout}`);
  const warm = Math.min(messages, 4000);
  await drainRaw('bench-raw-0', warm);
  await drainLib('bench-lib-0', warm);
  const totals = {raw: [], lib: []};
  for (let r = 1; r <= rounds; r++) {
    for (const [k, run] of [['raw', drainRaw], ['lib', drainLib]]) {
      const cpu0 = process.cpuUsage();
      const d = await run(`bench-${k}-${r}`, messages);
      const cpu = process.cpuUsage(cpu0);
      const rate = messages / (d.ms / 1000);
      totals[k].push(rate);
      console.log(`round ${r} ${k}: ${rate.toFixed(0)} msg/s (${(d.ms / 1000).toFixed(2)} s${d.polls ? `, ${d.polls} polls` : ''}), ` +
        `client CPU ${((cpu.user + cpu.system) / messages).toFixed(1)} µs/msg`);
    }
  }
  const mean = a => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(`mean: raw ${mean(totals.raw).toFixed(0)} msg/s, library ${mean(totals.lib).toFixed(0)} msg/s, library/raw ${(mean(totals.lib) / mean(totals.raw)).toFixed(2)}`);
} finally {
  await proxy.stop();
}
