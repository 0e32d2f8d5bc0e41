// HMAC-SHA256 and SHA-256 through WebCrypto: globalThis.crypto.subtle in browsers and Node >= 19; Node 18 has
// it as require('node:crypto').webcrypto, loaded only there (the specifier is built so bundlers leave it alone).

let subtlePromise: Promise<SubtleCrypto> | undefined;

export function subtle(): Promise<SubtleCrypto> {
  if (!subtlePromise) {
    const own = (globalThis as {crypto?: Crypto}).crypto?.subtle;
    if (own) {
      subtlePromise = Promise.resolve(own);
    } else {
      const name = 'node:' + 'crypto';
      subtlePromise = (import(/* @vite-ignore */ /* webpackIgnore: true */ name) as Promise<{webcrypto: Crypto}>)
        .then(m => m.webcrypto.subtle);
    }
  }
  return subtlePromise;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (let i = 0; i < b.length; i++) out += b[i].toString(16).padStart(2, '0');
  return out;
}

/** Lower- or upper-case hex to bytes; undefined when it is not hex of whole bytes. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export async function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return (await subtle()).importKey('raw', buffer(utf8(secret)), {name: 'HMAC', hash: 'SHA-256'}, false, [usage]);
}

export async function hmacSha256Hex(secret: string, data: Uint8Array): Promise<string> {
  const s = await subtle();
  return toHex(await s.sign('HMAC', await hmacKey(secret, 'sign'), buffer(data)));
}

/** WebCrypto's own HMAC verify: it compares in constant time. */
export async function hmacSha256Verify(secret: string, data: Uint8Array, mac: Uint8Array): Promise<boolean> {
  const s = await subtle();
  return s.verify('HMAC', await hmacKey(secret, 'verify'), buffer(mac), buffer(data));
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  return toHex(await (await subtle()).digest('SHA-256', buffer(data)));
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
