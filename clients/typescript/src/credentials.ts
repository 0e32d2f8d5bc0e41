import {hmacSha256Hex, sha256Hex, utf8} from './crypto.js';

/**
 * How a request proves who sends it, when the proxy requires credentials (`security.requireCredentials`):
 * a bearer token, or a signature with an access key. Both are headers added to each request.
 */
export interface Credentials {
  /** Headers for one request; `body` is exactly the bytes sent, `rawQuery` the query exactly as sent. */
  headers(method: string, path: string, rawQuery: string, body: Uint8Array): Promise<Record<string, string>>;
}

/** `Authorization: Bearer <token>`. */
export function bearer(token: string): Credentials {
  const headers = {Authorization: 'Bearer ' + token};
  return {headers: async () => headers};
}

let lastTimestamp = 0;

/**
 * Epoch milliseconds, never the same twice in this process: the proxy accepts a signature once, and two
 * identical requests (two pollers' first polls) signed in the same millisecond would sign the same text.
 */
function uniqueTimestamp(): number {
  lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
  return lastTimestamp;
}

/**
 * Signed with an access key: `X-MQProxy-Key: <id>`, `X-MQProxy-Timestamp: <epoch ms>` and
 * `X-MQProxy-Signature: hex(HMAC-SHA256(secret, METHOD \n PATH \n RAW_QUERY \n hex(SHA-256(body)) \n TIMESTAMP))`.
 * The secret itself never travels.
 */
export function signed(keyId: string, secret: string): Credentials {
  return {
    async headers(method, path, rawQuery, body) {
      const timestamp = String(uniqueTimestamp());
      const text = method + '\n' + path + '\n' + rawQuery + '\n' + await sha256Hex(body) + '\n' + timestamp;
      return {
        'X-MQProxy-Key': keyId,
        'X-MQProxy-Timestamp': timestamp,
        'X-MQProxy-Signature': await hmacSha256Hex(secret, utf8(text)),
      };
    },
  };
}
