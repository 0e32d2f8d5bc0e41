// Drains a backlog through the library's Consumer, for ConsumeBenchmark's drain phase
// (-Dbench.drain.command="node clients/typescript/bench/drain-child.mjs", after `npm run build` in
// clients/typescript): the benchmark runs it against its own proxy, on a fresh group of the same topic, next to
// its own HTTP client, and reads the last line, as it does with clients/python/bench/drain.py.
//
// Arguments: url topic group messages pollers maxPullSize pop pullTimeout
// Prints:    result <messages> <seconds until the target> <polls> <errors> <cpu seconds of this process>
// MQPROXY_BENCH_TRACE=<file>: also writes every poll's answer (status, size, time) and every error to that file.
import {appendFileSync} from 'node:fs';
import {Consumer} from '../dist/index.js';

const [url, topic, group, target, pollers, maxPullSize, pop, pullTimeout] = process.argv.slice(2);
const goal = Number(target);
const traceFile = process.env.MQPROXY_BENCH_TRACE;
const started = performance.now();
const trace = traceFile
  ? line => appendFileSync(traceFile, `${((performance.now() - started) / 1000).toFixed(3)} ${group} ${line}\n`)
  : () => {};
let count = 0;
let errors = 0;
let polls = 0;
let reachedAt = 0;
let reached;
const done = new Promise(resolve => { reached = resolve; });

// Counts the polls the library sends (every poll is a request to /mq/message), through its `fetch` option.
const counting = async (input, init) => {
  const path = String(input);
  if (!path.includes('/mq/message')) {
    const response = await fetch(input, init);
    trace(`${path.slice(path.indexOf('/mq/'), path.indexOf('?'))} -> ${response.status}`);
    return response;
  }
  polls++;
  if (!traceFile) return fetch(input, init);
  const response = await fetch(input, init);
  const body = await response.clone().json().catch(() => ({}));
  const r = body.result ?? {};
  trace(`poll -> ${body.status} ${r.status ?? body.message} ${(r.msgList?.length ?? 0) + (r.retryMsgList?.length ?? 0)}`
    + ` (handled ${count})`);
  return response;
};

const consumer = new Consumer({
  url, topic, consumer: group, pollers: Number(pollers), maxPullSize: Number(maxPullSize), pop: pop === 'true',
  pullTimeout: Number(pullTimeout), fetch: counting,
  onError: e => {
    errors++;
    trace(`error ${e}`);
  },
  handler: () => {
    if (++count === goal) {
      reachedAt = performance.now();
      reached();
    }
  },
}).start();
// The benchmark reads this process's output to its end: a timer left pending would keep it alive for 10 minutes
// after the result line (the hang of the first version of this adapter), so the bound is cleared.
let bound;
await Promise.race([done, new Promise(resolve => { bound = setTimeout(resolve, 600_000); })]);
clearTimeout(bound);
await consumer.stop();
const cpu = process.cpuUsage();
const seconds = ((reachedAt || performance.now()) - started) / 1000;
console.log(`result ${count} ${seconds.toFixed(3)} ${polls} ${errors} ${((cpu.user + cpu.system) / 1e6).toFixed(2)}`);
