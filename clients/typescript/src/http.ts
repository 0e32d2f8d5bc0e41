import {Credentials} from './credentials.js';
import {utf8} from './crypto.js';
import {codeFor, ProxyError} from './errors.js';

/** The proxy's answer: `{status, message, result}`, read from the body (the HTTP code is 200 on the data plane). */
export interface Envelope<T = unknown> {
  status: number;
  message?: string;
  result?: T;
  /** `Retry-After` in seconds, when the answer had one. */
  retryAfterSeconds?: number;
}

/** What every client takes. */
export interface ConnectionOptions {
  /** Base URL of the port: the production port (8082) for a Producer, the consumption port (8081) for the others. */
  url: string;
  /** Bearer or signed credentials, when the proxy requires them. */
  credentials?: Credentials;
  /** Milliseconds one request may take, beyond a long poll's own wait (default 10000). */
  timeoutMs?: number;
  /** A fetch of your own (tests, proxies, instrumentation); the global one by default. */
  fetch?: typeof fetch;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

export type Params = Record<string, string | number | boolean | undefined | null>;

/** One HTTP call to the proxy, with credentials, a time-out and an outside signal, answering the envelope. */
export class Transport {
  readonly base: string;
  private readonly credentials?: Credentials;
  private readonly fetchFn: typeof fetch;
  private readonly extraHeaders: Record<string, string>;
  readonly timeoutMs: number;

  constructor(options: ConnectionOptions) {
    if (!options.url) throw new TypeError('url: the base URL of the proxy port is required');
    this.base = options.url.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.fetchFn = options.fetch ?? ((...a: Parameters<typeof fetch>) => globalThis.fetch(...a));
    this.extraHeaders = options.headers ?? {};
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** A GET with the parameters in the query string. */
  get<T>(path: string, params: Params, options: CallOptions = {}): Promise<Envelope<T>> {
    return this.call<T>('GET', path, query(params), undefined, options);
  }

  /** A POST with the parameters as a JSON object body. */
  post<T>(path: string, body: Record<string, unknown>, options: CallOptions = {}): Promise<Envelope<T>> {
    return this.call<T>('POST', path, '', JSON.stringify(dropUndefined(body)), options);
  }

  /** Opens a response (for event streams): headers checked, body left to the caller. */
  async open(path: string, params: Params, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const raw = query(params);
    const all = {...this.extraHeaders, ...headers, ...(await this.auth('GET', path, raw, new Uint8Array(0)))};
    return this.fetchFn(this.base + path + (raw ? '?' + raw : ''), {method: 'GET', headers: all, signal});
  }

  private async auth(method: string, path: string, raw: string, body: Uint8Array): Promise<Record<string, string>> {
    return this.credentials ? this.credentials.headers(method, path, raw, body) : {};
  }

  private async call<T>(method: string, path: string, raw: string, text: string | undefined, options: CallOptions): Promise<Envelope<T>> {
    const body = text === undefined ? new Uint8Array(0) : utf8(text);
    const headers: Record<string, string> = {...this.extraHeaders, ...(await this.auth(method, path, raw, body))};
    if (text !== undefined) headers['Content-Type'] = 'application/json';
    const timeout = (options.extraTimeoutMs ?? 0) + this.timeoutMs;
    const {signal, done} = deadline(timeout, options.signal);
    let response: Response;
    let answer: string;
    try {
      response = await this.fetchFn(this.base + path + (raw ? '?' + raw : ''), {
        method, headers, signal, body: text === undefined ? undefined : body as BodyInit,
      });
      answer = await response.text();
    } catch (e) {
      if (options.signal?.aborted) throw e;
      if (signal.aborted) throw new ProxyError(0, 'timeout', `${method} ${path}: no answer within ${timeout} ms`, {cause: e});
      throw new ProxyError(0, 'network', `${method} ${this.base}${path}: ${describe(e)}`, {cause: e});
    } finally {
      done();
    }
    const retryAfter = Number(response.headers.get('Retry-After') ?? NaN);
    let envelope: Envelope<T>;
    try {
      envelope = JSON.parse(answer) as Envelope<T>;
    } catch {
      throw new ProxyError(response.status, response.status === 200 ? 'http' : codeFor(response.status),
        `${method} ${path}: HTTP ${response.status}, not a JSON envelope: ${answer.slice(0, 200)}`);
    }
    if (typeof envelope?.status !== 'number') {
      throw new ProxyError(response.status, 'http', `${method} ${path}: HTTP ${response.status} without an envelope status`);
    }
    if (Number.isFinite(retryAfter)) envelope.retryAfterSeconds = retryAfter;
    return envelope;
  }
}

export interface CallOptions {
  /** Aborts the request (the caller stops). */
  signal?: AbortSignal;
  /** Added to the time-out (a long poll's wait). */
  extraTimeoutMs?: number;
}

/** Throws the envelope as a ProxyError unless it is a success (200 or 201). */
export function ok<T>(envelope: Envelope<T>, what: string): T {
  if (envelope.status === 200 || envelope.status === 201) return envelope.result as T;
  throw errorOf(envelope, what);
}

export function errorOf(envelope: Envelope<unknown>, what: string): ProxyError {
  return new ProxyError(envelope.status, codeFor(envelope.status), `${what}: ${envelope.message ?? 'status ' + envelope.status}`,
    {result: envelope.result, retryAfterSeconds: envelope.retryAfterSeconds});
}

/** fetch's own message ("fetch failed") and what lies under it (ECONNREFUSED ...). */
export function describe(e: unknown): string {
  const error = e as {message?: string; cause?: {code?: string; message?: string}};
  const under = error?.cause?.code ?? error?.cause?.message;
  return (error?.message ?? String(e)) + (under ? ` (${under})` : '');
}

export function query(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.append(k, String(v));
  return q.toString();
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

/** A signal that fires after `ms` or when `outer` fires; call done() to clear the timer. */
export function deadline(ms: number, outer?: AbortSignal): {signal: AbortSignal; done: () => void} {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), ms);
  const onOuter = () => controller.abort(outer?.reason);
  if (outer) {
    if (outer.aborted) controller.abort(outer.reason);
    else outer.addEventListener('abort', onOuter, {once: true});
  }
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** Waits `ms`, or less when `signal` fires (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    }
    signal?.addEventListener('abort', finish, {once: true});
  });
}

/** Exponential back-off with jitter: attempt 0 waits half to all of `base`, each next one twice that, at most `max`. */
export function backoff(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  return Math.round(Math.min(max, base * 2 ** Math.min(attempt, 30)) * (0.5 + random() / 2));
}
