// Starts the real proxy jar (MQPROXY_JAR) in a child process with its embedded broker: free ports, a temp data
// folder, a config file written here. Stopped by its own pid.
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const used = new Set();

/** A port free now, below the ephemeral range; `span` ports around it (a broker also binds port-2 and port+1). */
export async function freePort(neighbours = []) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const all = [port, ...neighbours.map(d => port + d)];
    if (all.some(p => used.has(p))) continue;
    if ((await Promise.all(all.map(isFree))).every(Boolean)) {
      all.forEach(p => used.add(p));
      return port;
    }
  }
  throw new Error('no free port');
}

function isFree(port) {
  return new Promise(resolve => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export const jar = process.env.MQPROXY_JAR;

/** Starts the jar with `yaml` as its config file; resolves once /ready answers 200. */
export async function startProxy(yaml, {name = 'proxy', env = {}, jarPath = jar} = {}) {
  if (!jarPath) throw new Error('MQPROXY_JAR: the path of target/mq-proxy.jar is needed for integration tests');
  const dir = mkdtempSync(join(tmpdir(), `mqproxy-ts-${name}-`));
  const config = join(dir, 'mq-proxy.yaml');
  writeFileSync(config, yaml);
  const ports = {produce: await freePort(), consume: await freePort(), admin: await freePort()};
  const args = ['-Xmx512m', '-jar', jarPath, '--config', config,
    `--embedded.dataDir=${join(dir, 'data')}`, `--embedded.namesrvPort=${await freePort()}`,
    `--embedded.brokerPort=${await freePort([-2, 1])}`, '--embedded.commitLogFileMb=64', '--http.host=127.0.0.1',
    `--http.producePort=${ports.produce}`, `--http.consumePort=${ports.consume}`, `--admin.port=${ports.admin}`];
  const logFile = join(dir, 'proxy.out');
  // The proxy refuses MQPROXY_* variables it does not know (MQPROXY_JAR is this test's own).
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MQPROXY_')));
  const child = spawn('java', args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...childEnv, ...env}});
  let log = '';
  child.stdout.on('data', d => log += d);
  child.stderr.on('data', d => log += d);
  const exited = new Promise(resolve => child.once('exit', code => resolve(code)));
  const proxy = {
    dir,
    pid: child.pid,
    produceUrl: `http://127.0.0.1:${ports.produce}`,
    consumeUrl: `http://127.0.0.1:${ports.consume}`,
    adminUrl: `http://127.0.0.1:${ports.admin}`,
    log: () => log,
    operatorToken: () => readFileSync(join(dir, 'data', 'operator.token'), 'utf8').trim(),
    async stop() {
      if (child.exitCode === null) {
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 30000);
        await exited;
        clearTimeout(timer);
      }
      writeFileSync(logFile, log);
      if (!process.env.MQPROXY_KEEP) rmSync(dir, {recursive: true, force: true});
    },
  };
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}:\n${log.slice(-3000)}`);
    try {
      if ((await fetch(proxy.produceUrl + '/ready')).status === 200) return proxy;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 100));
  }
  await proxy.stop();
  throw new Error(`proxy not ready within 120 s:\n${log.slice(-3000)}`);
}

/** Waits until `check()` is truthy (polled every 50 ms), or fails after `ms`. */
export async function until(check, ms = 20000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await check();
    if (v) return v;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
