import {concat, fromHex, hmacSha256Verify, utf8} from './crypto.js';

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Refuse a `t` further than this from now, in seconds (replays; default 300). */
  toleranceSeconds?: number;
  /** Now, in epoch seconds (tests). */
  nowSeconds?: number;
}

/**
 * Checks a webhook request from the proxy: `X-MQProxy-Signature: t=<epoch seconds>,v1=<hex>`, the hex being
 * HMAC-SHA256 (keyed with the subscription's secret) of `<t>.` followed by the raw body bytes. True only when
 * the header parses, `t` is within the tolerance of now, and the MAC matches: compared in constant time
 * (WebCrypto's verify). Pass the body exactly as received: bytes, or the text they decode to, never parsed
 * and serialized again.
 */
export async function verifyWebhook(secret: string, headers: HeaderSource, rawBody: Uint8Array | ArrayBuffer | string,
                                    options: VerifyOptions = {}): Promise<boolean> {
  const header = headerOf(headers, 'x-mqproxy-signature');
  if (!header || !secret) return false;
  let t: string | undefined;
  let v1: string | undefined;
  for (const part of header.split(',')) {
    const p = part.trim();
    if (p.startsWith('t=')) t = p.slice(2);
    else if (p.startsWith('v1=')) v1 = p.slice(3);
  }
  if (!t || !/^\d+$/.test(t) || v1 === undefined) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(t)) > (options.toleranceSeconds ?? 300)) return false;
  const mac = fromHex(v1);
  if (!mac || mac.length !== 32) return false;
  const body = typeof rawBody === 'string' ? utf8(rawBody) : rawBody instanceof Uint8Array ? rawBody : new Uint8Array(rawBody);
  return hmacSha256Verify(secret, concat(utf8(t + '.'), body), mac);
}

function headerOf(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}
