import {Message} from './consumer.js';
import {codeFor, ProxyError} from './errors.js';
import {backoff, ConnectionOptions, describe, errorOf, Params, sleep, Transport} from './http.js';
import {SseEvent, SseParser} from './sse.js';

export interface EventStreamOptions extends ConnectionOptions {
  topic: string;
  consumer: string;
  /** Broadcast groups: this client's id. */
  clientId?: string;
  /** `client` (default): you ack each message, what is not acked comes again; `auto`: acked once written (at-most-once). */
  ack?: 'client' | 'auto';
  /** At most this many messages written and not yet acked (the proxy's `stream.maxUnacked` at most). */
  maxUnacked?: number;
  /** Seconds a message stays reserved before it comes again (the group's default when absent). */
  consumeTimeout?: number;
  /** Other events than messages: `paused` and `resumed` (with their JSON data), `error` (the stream ends). */
  onEvent?: (event: string, data: unknown) => void;
  /** Told of each failure the stream carries on after (a dropped connection, a 503). */
  onError?: (error: unknown) => void;
  /** Reconnect after a drop (default true), with back-off from `backoffMs` (default the stream's `retry`, 2000) up to `maxBackoffMs` (30000). */
  reconnect?: boolean;
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** A message from the stream, with its own ack token. */
export interface StreamMessage extends Message {
  /** The event id: a requestId naming this message alone. */
  ackToken: string;
  /** Acknowledges it (`/mq/ack`): it never comes again. Resolves to the proxy's OK, EXPIRED, ALREADY_ACKED, ... */
  ack(): Promise<string>;
  /** Gives it back, delivered again after `delaySeconds` (`/mq/nack`; 0: at once). */
  nack(delaySeconds?: number): Promise<string>;
}

/**
 * Reads `GET /mq/stream` (server-sent events) over fetch, so it works in browsers and Node alike and carries
 * the same credentials as any request (which EventSource cannot). Iterate it with `for await`, ack each message
 * when it is handled; close() ends it (what was not acked is given back by the proxy at once). A dropped
 * connection is opened again, with `Last-Event-ID`; what was not acked comes again.
 */
export class EventStream implements AsyncIterable<StreamMessage> {
  private readonly transport: Transport;
  private readonly options: EventStreamOptions;
  private readonly group: Params;
  private readonly closer = new AbortController();
  private queue: StreamMessage[] = [];
  private waiting?: () => void;
  private failure?: unknown;
  private ended = false;
  private started = false;
  private lastEventId = '';
  private retryMs: number;

  constructor(options: EventStreamOptions) {
    if (!options.topic) throw new TypeError('topic is required');
    if (!options.consumer) throw new TypeError('consumer: the consumer group is required');
    this.transport = new Transport(options);
    this.options = options;
    this.group = {topic: options.topic, consumer: options.consumer, clientId: options.clientId};
    this.retryMs = options.backoffMs ?? 2000;
  }

  /** Ends the stream: the connection is closed and the iteration finishes. */
  close(): void {
    this.closer.abort(new Error('stream closed'));
    this.finish();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamMessage> {
    if (!this.started) {
      this.started = true;
      this.run().catch(e => this.finish(e));
    }
    try {
      while (true) {
        const next = this.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.ended) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        await new Promise<void>(resolve => this.waiting = resolve);
      }
    } finally {
      // a `break` out of the loop ends the stream too: the connection is not left open
      this.close();
    }
  }

  /** Runs `handler` for each message: acked when it returns, given back (nack, `nackDelaySeconds`) when it throws. */
  async consume(handler: (m: StreamMessage) => unknown, nackDelaySeconds = 5): Promise<void> {
    for await (const m of this) {
      try {
        await handler(m);
        await m.ack();
      } catch (e) {
        this.options.onError?.(e);
        await m.nack(nackDelaySeconds).catch(err => this.options.onError?.(err));
      }
    }
  }

  private finish(error?: unknown): void {
    if (error !== undefined && this.failure === undefined && !this.closer.signal.aborted) this.failure = error;
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  private async run(): Promise<void> {
    const o = this.options;
    let failures = 0;
    while (!this.closer.signal.aborted) {
      try {
        await this.once();
        failures = 0;
        if (this.ended) return;
      } catch (e) {
        if (this.closer.signal.aborted) return;
        if (e instanceof ProxyError && e.code !== 'overloaded' && e.code !== 'network' && e.code !== 'timeout') throw e;
        o.onError?.(e);
      }
      if (o.reconnect === false) return this.finish();
      await sleep(backoff(failures++, o.backoffMs ?? this.retryMs, o.maxBackoffMs ?? 30_000), this.closer.signal);
    }
  }

  /** One connection, read to its end. */
  private async once(): Promise<void> {
    const o = this.options;
    const headers: Record<string, string> = {Accept: 'text/event-stream'};
    if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
    let response: Response;
    try {
      response = await this.transport.open('/mq/stream', {
        ...this.group, ack: o.ack, maxUnacked: o.maxUnacked, consumeTimeout: o.consumeTimeout,
      }, headers, this.closer.signal);
    } catch (e) {
      throw new ProxyError(0, 'network', `stream: ${describe(e)}`, {cause: e});
    }
    const type = response.headers.get('Content-Type') ?? '';
    if (!type.startsWith('text/event-stream')) {
      const text = await response.text();
      let envelope;
      try {
        envelope = JSON.parse(text);
      } catch {
        throw new ProxyError(response.status, codeFor(response.status), `stream: HTTP ${response.status}: ${text.slice(0, 200)}`);
      }
      throw errorOf({...envelope, retryAfterSeconds: Number(response.headers.get('Retry-After') ?? NaN) || undefined}, 'stream');
    }
    const parser = new SseParser(e => this.event(e), ms => this.retryMs = ms);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      while (true) {
        const {value, done} = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch (e) {
      if (this.closer.signal.aborted) return;
      throw new ProxyError(0, 'network', `stream dropped: ${describe(e)}`, {cause: e});
    } finally {
      reader.releaseLock();
    }
    if (!this.closer.signal.aborted) throw new ProxyError(0, 'network', 'stream: the proxy ended the stream');
  }

  private event(e: SseEvent): void {
    if (e.id) this.lastEventId = e.id;
    let data: unknown;
    try {
      data = JSON.parse(e.data);
    } catch {
      data = e.data;
    }
    if (e.event !== 'message') {
      this.options.onEvent?.(e.event, data);
      if (e.event === 'error') {
        // the proxy ended the stream for good (its group removed or changed): no reconnect
        this.finish(new ProxyError(500, 'server_error', `stream: ${e.data}`));
        this.closer.abort(new Error('stream ended by the proxy'));
      }
      return;
    }
    const token = e.id;
    const settle = async (path: string, extra: Params) => {
      const envelope = await this.transport.get<{status: string}>(path, {...this.group, requestId: token, ...extra});
      if (envelope.status !== 200) throw errorOf(envelope, path);
      return envelope.result?.status ?? 'OK';
    };
    this.queue.push({
      ...(data as Omit<Message, 'retry'>),
      retry: ((data as Message).deliveryCount ?? 1) > 1,
      ackToken: token,
      ack: () => settle('/mq/ack', {}),
      nack: (delaySeconds = 0) => settle('/mq/nack', {delay: delaySeconds}),
    });
    this.wake();
  }
}
