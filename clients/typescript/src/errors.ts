/**
 * What the proxy answered when it did not answer success: the envelope's `status` (its HTTP code when the
 * answer had no envelope), a short `code` a program can switch on, and the proxy's own `message`, which
 * names the parameter and the rule for a 400.
 */
export class ProxyError extends Error {
  /** The envelope's status (300, 400, 401, 403, 429, 500, 503, ...), or the HTTP code without an envelope; 0 when no answer came. */
  readonly status: number;
  /** `unknown_outcome` (300), `bad_request`, `unauthenticated`, `forbidden`, `not_found`, `rate_limited`, `server_error`, `overloaded` (503), `timeout`, `network`, `http`. */
  readonly code: string;
  /** The envelope's `result`, when it had one (a batch's per-message statuses, say). */
  readonly result?: unknown;
  /** Seconds the proxy asked to wait (`Retry-After`), when it said. */
  readonly retryAfterSeconds?: number;

  constructor(status: number, code: string, message: string, options: {result?: unknown; retryAfterSeconds?: number; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = 'ProxyError';
    this.status = status;
    this.code = code;
    this.result = options.result;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The outcome is not known (a 300, a time-out, a connection that failed mid-request): the message may be stored. */
  get unknownOutcome(): boolean {
    return this.code === 'unknown_outcome' || this.code === 'timeout' || this.code === 'network';
  }

  /** Worth another try later as it is: 300, 503, no answer. */
  get retryable(): boolean {
    return this.unknownOutcome || this.code === 'overloaded';
  }
}

const CODES: Record<number, string> = {
  300: 'unknown_outcome', 400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found',
  405: 'bad_request', 408: 'timeout', 413: 'bad_request', 429: 'rate_limited', 500: 'server_error', 503: 'overloaded',
};

/** The code for a status the proxy answered. */
export function codeFor(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'server_error' : status >= 400 ? 'bad_request' : 'http');
}
