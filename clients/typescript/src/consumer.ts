import {ProxyError} from './errors.js';
import {backoff, ConnectionOptions, errorOf, Params, sleep, Transport} from './http.js';

/** A message as the proxy delivers it. */
export interface Message {
  messageId: string;
  /** The body as text; base64 of its bytes when `encoding` is `base64` (a body that is not UTF-8). */
  message: string;
  encoding?: 'base64';
  timestamp: number;
  keys?: string;
  tags?: string;
  properties?: Record<string, string>;
  /** 1 on the first delivery. */
  deliveryCount?: number;
  /** Came in `retryMsgList`: delivered before and not acknowledged in time, or re-sent by an operator. */
  retry: boolean;
}

/** One answer of `/mq/message`. */
export interface PollResult {
  status: 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL' | 'PAUSED' | 'RATE_LIMITED';
  requestId: string;
  msgList: Omit<Message, 'retry'>[];
  retryMsgList: Omit<Message, 'retry'>[];
  previousAck?: string;
  consumeTimeout?: number;
}

/** What a handler gets besides the messages. */
export interface HandlerContext {
  /** The requestId of the batch (it acknowledges the batch when passed on). */
  requestId: string;
  /** Fires when the consumer stops: a long handler may cut its work short (what it does not finish is given back). */
  signal: AbortSignal;
}

export interface ConsumerOptions extends ConnectionOptions {
  topic: string;
  /** The consumer group. */
  consumer: string;
  /** Broadcast groups: this client's id (each distinct clientId receives every message). */
  clientId?: string;
  /** Called for each message, in order; a throw gives the batch back with `nackDelaySeconds`. */
  handler?: (message: Message, context: HandlerContext) => unknown | Promise<unknown>;
  /** Called once per batch instead; a throw gives the batch back with `nackDelaySeconds`. */
  batchHandler?: (messages: Message[], context: HandlerContext) => unknown | Promise<unknown>;
  /** Poll loops running at once (default 1); each holds its own batch. */
  pollers?: number;
  /** Messages per poll, 1..128 (the group's default when absent). */
  maxPullSize?: number;
  /** Seconds a batch stays reserved before it is delivered again (the group's default when absent). */
  consumeTimeout?: number;
  /** Seconds a poll waits at the proxy for messages, 0..60 (default 20). */
  pullTimeout?: number;
  /** Seconds before a batch whose handler threw is delivered again (default 5; 0: at once). */
  nackDelaySeconds?: number;
  /** Milliseconds stop() lets running handlers finish before it gives their batches back (default 10000). */
  stopTimeoutMs?: number;
  /** Milliseconds to wait after a PAUSED answer (default 5000) and after RATE_LIMITED (default 1000). */
  pausedWaitMs?: number;
  rateLimitedWaitMs?: number;
  /**
   * After an empty answer that came at once (under 50 ms: `pullTimeout: 0`, or a queue-held group with no
   * free queue), the wait before the next poll starts at `idleBackoffMs` (default 100) and doubles, with
   * jitter (half to all of each step), up to `idleWaitMs` (default 2000); a batch or a poll that waited resets it.
   */
  idleBackoffMs?: number;
  idleWaitMs?: number;
  /** First and longest back-off after a failed poll (default 500 and 30000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The group's mode, when you want the proxy to check it (true concurrent, false queue-held). */
  pop?: boolean;
  /** Told of every failure the loop carries on after (poll errors, handler errors, failed give-backs). */
  onError?: (error: unknown) => void;
}

/** An empty answer quicker than this did not wait at the proxy: the poller backs off before the next one. */
const IMMEDIATE_ANSWER_MS = 50;

/** Where one poller stands. */
type Outcome = 'done' | 'failed' | 'stopped';

/**
 * Runs the long-poll loop of `/mq/message` for one group: each poll passes the previous answer's requestId,
 * which acknowledges that batch once its handler has returned. A handler that throws gives its batch back
 * (`/mq/nack` with a delay, so it comes again later); PAUSED and RATE_LIMITED answers wait before the next
 * poll. stop() stops polling, lets running handlers finish up to `stopTimeoutMs`, acknowledges what they
 * finished and gives back at once (`/mq/unlock`) what they did not.
 *
 * A batch is the unit of acknowledgement: when a per-message handler throws, the whole batch comes again,
 * the messages before it included (at-least-once: be idempotent by messageId).
 */
export class Consumer {
  private readonly transport: Transport;
  private readonly options: ConsumerOptions;
  private readonly base: Params;
  private readonly stopper = new AbortController();
  /** One signal per poller (fired with the stopper), so no one signal gathers a listener per poller. */
  private readonly pollerStoppers: AbortController[] = [];
  private stopDeadline?: Promise<'stopped'>;
  private loops: Promise<void>[] = [];
  private stopping?: Promise<void>;
  /** Messages handled since start, by all pollers (a figure for benchmarks and tests). */
  handled = 0;

  constructor(options: ConsumerOptions) {
    if (!options.topic) throw new TypeError('topic is required');
    if (!options.consumer) throw new TypeError('consumer: the consumer group is required');
    if (!options.handler === !options.batchHandler) throw new TypeError('give one of handler or batchHandler');
    this.transport = new Transport(options);
    this.options = options;
    this.base = {topic: options.topic, consumer: options.consumer, clientId: options.clientId};
  }

  /** Starts the pollers; returns at once. */
  start(): this {
    if (this.loops.length) throw new Error('already started');
    const n = Math.max(1, this.options.pollers ?? 1);
    for (let i = 0; i < n; i++) {
      const stopper = new AbortController();
      this.pollerStoppers.push(stopper);
      this.loops.push(this.loop(stopper.signal));
    }
    return this;
  }

  /** Resolves when every poller has ended (after stop()). */
  get done(): Promise<void> {
    return Promise.all(this.loops).then(() => undefined);
  }

  /**
   * Stops polling (a waiting poll is abandoned: the proxy gives back what it took for it), lets running
   * handlers finish for up to `stopTimeoutMs`, acknowledges the batches they finished and gives back the rest.
   */
  stop(): Promise<void> {
    if (!this.stopping) {
      const ms = this.options.stopTimeoutMs ?? 10_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.stopDeadline = new Promise(resolve => timer = setTimeout(() => resolve('stopped'), ms));
      const reason = new Error('consumer stopped');
      this.stopper.abort(reason);
      for (const p of this.pollerStoppers) p.abort(reason);
      this.stopping = this.done.then(() => clearTimeout(timer));
    }
    return this.stopping;
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private report(error: unknown): void {
    if (this.options.onError) {
      try {
        this.options.onError(error);
      } catch {
        // the caller's reporter must not end the loop
      }
    }
  }

  private async loop(stop: AbortSignal): Promise<void> {
    const o = this.options;
    const pullTimeout = o.pullTimeout ?? 20;
    let requestId = '';
    let failures = 0;
    let idle = 0; // empty answers in a row that came at once
    while (!this.stopped) {
      let result: PollResult;
      const started = Date.now();
      try {
        const envelope = await this.transport.get<PollResult>('/mq/message', {
          ...this.base, requestId, maxPullSize: o.maxPullSize, consumeTimeout: o.consumeTimeout, pullTimeout, pop: o.pop,
        }, {signal: stop, extraTimeoutMs: pullTimeout * 1000});
        if (envelope.status !== 200) {
          const error = errorOf(envelope, 'poll');
          // 503: nothing was done, the same requestId acks on the next try. Anything else (a requestId
          // refused, a group gone): start afresh; an unacknowledged batch comes again after its timeout.
          if (envelope.status !== 503) requestId = '';
          throw error;
        }
        result = envelope.result as PollResult;
        failures = 0;
      } catch (e) {
        if (this.stopped) break;
        this.report(e);
        const hinted = e instanceof ProxyError && e.retryAfterSeconds ? e.retryAfterSeconds * 1000 : 0;
        await sleep(Math.max(hinted, backoff(failures++, o.backoffMs ?? 500, o.maxBackoffMs ?? 30_000)), stop);
        continue;
      }
      requestId = result.requestId ?? '';
      const messages = [
        ...(result.msgList ?? []).map(m => ({...m, retry: false})),
        ...(result.retryMsgList ?? []).map(m => ({...m, retry: true})),
      ];
      if (messages.length === 0) {
        if (result.status === 'PAUSED') await sleep(o.pausedWaitMs ?? 5000, stop);
        else if (result.status === 'RATE_LIMITED') await sleep(o.rateLimitedWaitMs ?? 1000, stop);
        else if (Date.now() - started >= IMMEDIATE_ANSWER_MS) idle = 0;
        else await sleep(backoff(idle++, o.idleBackoffMs ?? 100, o.idleWaitMs ?? 2000), stop);
        continue;
      }
      idle = 0;
      const outcome = await this.handle(messages, requestId, stop);
      if (outcome === 'failed') {
        await this.settle('/mq/nack', requestId, {delay: o.nackDelaySeconds ?? 5});
        requestId = '';
      } else if (outcome === 'stopped') {
        await this.settle('/mq/unlock', requestId, {});
        requestId = '';
      }
    }
    // Stopped: the last batch handled is acknowledged here, since no next poll will carry it. If the poll that
    // carried it was abandoned, it may have been acknowledged already: a second use answers ALREADY_ACKED.
    if (requestId) await this.settle('/mq/ack', requestId, {});
  }

  private async handle(messages: Message[], requestId: string, stop: AbortSignal): Promise<Outcome> {
    const context: HandlerContext = {requestId, signal: stop};
    const work = (async (): Promise<Outcome> => {
      try {
        if (this.options.batchHandler) {
          await this.options.batchHandler(messages, context);
          this.handled += messages.length;
        } else {
          for (const m of messages) {
            if (this.stopped) return 'stopped';
            await this.options.handler!(m, context);
            this.handled++;
          }
        }
        return 'done';
      } catch (e) {
        this.report(e);
        return 'failed';
      }
    })();
    if (!this.stopped) {
      // Until stop(), wait for the handler alone; a listener is left behind for no batch.
      const first = await new Promise<Outcome | 'stop'>(resolve => {
        const onStop = () => resolve('stop');
        stop.addEventListener('abort', onStop, {once: true});
        work.then(o => {
          stop.removeEventListener('abort', onStop);
          resolve(o);
        });
      });
      if (first !== 'stop') return first;
    }
    return Promise.race([work, this.stopDeadline!]);
  }

  /** Acknowledges or gives back one batch; failures are reported, not thrown (the batch comes again after its timeout). */
  private async settle(path: string, requestId: string, extra: Params): Promise<void> {
    try {
      const envelope = await this.transport.get<{status: string}>(path, {...this.base, requestId, ...extra});
      if (envelope.status !== 200) this.report(errorOf(envelope, path));
    } catch (e) {
      this.report(e);
    }
  }
}

/** A consumer of a broadcast group: every distinct clientId receives every message, with its own progress. */
export class BroadcastConsumer extends Consumer {
  constructor(options: ConsumerOptions & {clientId: string}) {
    if (!options.clientId) throw new TypeError('clientId is required for a broadcast consumer');
    super(options);
  }
}
