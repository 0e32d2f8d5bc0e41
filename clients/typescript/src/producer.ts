import {ProxyError} from './errors.js';
import {backoff, ConnectionOptions, Envelope, ok, sleep, Transport} from './http.js';

export interface ProducerOptions extends ConnectionOptions {
  /** The producer group registered for a topic; it decides the topic. */
  producer: string;
  /** Further tries after the first on 300 (outcome unknown), 503 (proxy at a bound) and no answer (default 3). */
  retries?: number;
  /** First back-off in milliseconds, doubled each try (default 200). */
  backoffMs?: number;
  /** Longest back-off (default 5000); a `Retry-After` from the proxy is honoured up to this. */
  maxBackoffMs?: number;
  /**
   * Retry a 300 and a send that got no answer (default true): the message may already be stored, so a
   * retry may store it twice; consumers are idempotent by key. False: such a send throws at once.
   */
  retryUnknown?: boolean;
}

/** One message's options. */
export interface SendOptions {
  /** Message key(s), indexed for lookup; an array is joined with spaces. */
  keys?: string | string[];
  /** The RocketMQ tag, for consumer-side filtering. */
  tags?: string;
  /** Sharding key: messages with the same orderId go to the same queue, in order. */
  orderId?: string;
  /** 1..18: RocketMQ's delay levels (1s 5s 10s 30s 1m 2m ... 2h). */
  delayLevel?: number;
  /** Deliver at this time (a timer message). */
  deliverAt?: Date | number;
  /** Spread strictly evenly over all queues in turn. */
  roundRobin?: boolean;
  /** User properties; sent (as the JSON field `properties`) only when given. */
  properties?: Record<string, string>;
  /** Aborts the send and its retries. */
  signal?: AbortSignal;
}

export interface BatchOptions {
  tags?: string;
  orderId?: string;
  /** User properties: one object for every message, or one (or null) per message in order. */
  properties?: Record<string, string> | (Record<string, string> | null)[];
  signal?: AbortSignal;
}

/** The broker's receipt for a message it stored. */
export interface SendReceipt {
  sendStatus: string;
  msgId: string;
  offsetMsgId?: string;
  messageQueue?: {topic: string; brokerName: string; queueId: number};
  queueOffset?: number;
  [field: string]: unknown;
}

/**
 * Sends messages through `POST /mq/produce` and `/mq/produce/batch`. A success means the broker stored the
 * message. A 300 (unknown: the broker timed out), a 503 (the proxy is at a bound) or no answer is tried again
 * after a back-off, a bounded number of times; anything else throws a ProxyError at once.
 */
export class Producer {
  private readonly transport: Transport;
  private readonly producer: string;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly retryUnknown: boolean;

  constructor(options: ProducerOptions) {
    if (!options.producer) throw new TypeError('producer: the producer group is required');
    this.transport = new Transport(options);
    this.producer = options.producer;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.retryUnknown = options.retryUnknown ?? true;
  }

  /** Sends one message: a string as its text, any other value as its JSON. */
  async send(message: unknown, options: SendOptions = {}): Promise<SendReceipt> {
    const deliverAt = options.deliverAt instanceof Date ? options.deliverAt.getTime() : options.deliverAt;
    const body: Record<string, unknown> = {
      producer: this.producer,
      message: typeof message === 'string' ? message : JSON.stringify(message),
      keys: Array.isArray(options.keys) ? options.keys.join(' ') : options.keys,
      tags: options.tags,
      orderId: options.orderId,
      delayLevel: options.delayLevel,
      deliveryTimestamp: deliverAt,
      roundRobin: options.roundRobin,
      properties: options.properties,
    };
    return this.retrying('/mq/produce', body, options.signal, e => ok(e as Envelope<SendReceipt>, 'produce'));
  }

  /**
   * Sends several messages in one request (strings as text, other values as JSON). All stored: resolves.
   * Some failed: throws a ProxyError (status 500) whose `result` has one `{status, message}` per message, in order.
   */
  async sendBatch(messages: unknown[], options: BatchOptions = {}): Promise<void> {
    const body = {producer: this.producer, messages, tags: options.tags, orderId: options.orderId,
      properties: options.properties};
    await this.retrying('/mq/produce/batch', body, options.signal, e => ok(e, 'produce batch'));
  }

  private async retrying<T>(path: string, body: Record<string, unknown>, signal: AbortSignal | undefined,
                            read: (e: Envelope<unknown>) => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let failure: ProxyError;
      try {
        return read(await this.transport.post(path, body, {signal}));
      } catch (e) {
        if (!(e instanceof ProxyError)) throw e;
        failure = e;
      }
      const again = failure.code === 'overloaded' || (this.retryUnknown && failure.unknownOutcome);
      if (!again || attempt >= this.retries || signal?.aborted) throw failure;
      const hinted = failure.retryAfterSeconds !== undefined ? failure.retryAfterSeconds * 1000 : 0;
      await sleep(Math.min(this.maxBackoffMs, Math.max(hinted, backoff(attempt, this.backoffMs, this.maxBackoffMs))), signal);
      if (signal?.aborted) throw failure;
    }
  }
}

