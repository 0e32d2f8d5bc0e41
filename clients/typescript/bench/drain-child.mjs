// Drains a backlog through the library's Consumer, for ConsumeBenchmark's drain phase
// (-Dbench.drain.command="node clients/typescript/bench/drain-child.mjs", after `npm run build` in
// clients/typescript): the benchmark runs it against its own proxy, on a fresh group of the same topic, next to
// its own HTTP client, and reads the last line, as it does with clients/python/bench/drain.py.
//
// Arguments: url topic group messages pollers maxPullSize pop pullTimeout
// Prints:    result <messages> <seconds until the target> <polls> <errors> <cpu seconds of this process>
import {Consumer} from '../dist/index.js';

const [url, topic, group, target, pollers, maxPullSize, pop, pullTimeout] = process.argv.slice(2);
const goal = Number(target);
let count = 0;
let errors = 0;
let polls = 0;
let reachedAt = 0;
let reached;
const done = new Promise((resolve) => { reached = resolve; });

// Counts the polls the library sends: every poll is a GET or POST to /mq/message.
const plainFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  if (String(input.url ?? input).includes('/mq/message')) polls++;
  return plainFetch(input, init);
};

const started = performance.now();
const consumer = new Consumer({
  url, topic, consumer: group, pollers: Number(pollers), maxPullSize: Number(maxPullSize), pop: pop === 'true',
  pullTimeout: Number(pullTimeout), onError: () => { errors++; },
  handler: () => {
    if (++count === goal) {
      reachedAt = performance.now();
      reached();
    }
  },
}).start();
await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 600_000))]);
await consumer.stop();
const cpu = process.cpuUsage();
const seconds = ((reachedAt || performance.now()) - started) / 1000;
console.log(`result ${count} ${seconds.toFixed(3)} ${polls} ${errors} ${((cpu.user + cpu.system) / 1e6).toFixed(2)}`);
