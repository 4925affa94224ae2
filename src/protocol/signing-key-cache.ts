/**
 * SigV4 signing keys. A key depends only on (secret, date, region, service), so one derivation
 * (four HMACs) serves every request a client sends that day; the cache keeps the steady-state cost
 * of a verification at two hashes and one HMAC.
 */
import { createHmac } from "node:crypto";

/** The kDate → kRegion → kService → kSigning chain of the SigV4 specification. */
export function deriveSigningKey(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/**
 * A bounded map of derived keys, least recently used evicted first. Bounded because the tuple
 * space is caller-controlled: anyone can claim any region or service in a credential scope.
 */
export class SigningKeyCache {
  readonly #keys = new Map<string, Buffer>();
  readonly #capacity: number;
  /** The most recently used id: hits on it (the usual case) need no reordering. */
  #newest: string | undefined;

  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`SigningKeyCache capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** The last key asked for, by its four parts: a client asks for the same one request after request. */
  #last: { secret: string; date: string; region: string; service: string; key: Buffer } | undefined;

  signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
    const last = this.#last;
    if (
      last !== undefined &&
      last.secret === secretAccessKey &&
      last.date === date &&
      last.region === region &&
      last.service === service
    ) {
      return last.key;
    }
    const key = this.#lookup(secretAccessKey, date, region, service);
    this.#last = { secret: secretAccessKey, date, region, service, key };
    return key;
  }

  #lookup(secretAccessKey: string, date: string, region: string, service: string): Buffer {
    // The secret goes last: the other three never hold "/" (the credential scope is split on it),
    // so the joined string is unambiguous whatever the secret contains.
    const id = `${date}/${region}/${service}/${secretAccessKey}`;
    const cached = this.#keys.get(id);
    if (cached !== undefined) {
      if (id !== this.#newest) {
        // Re-insert so Map order stays least-recently-used first.
        this.#keys.delete(id);
        this.#keys.set(id, cached);
        this.#newest = id;
      }
      return cached;
    }
    const key = deriveSigningKey(secretAccessKey, date, region, service);
    this.#keys.set(id, key);
    this.#newest = id;
    if (this.#keys.size > this.#capacity) {
      const oldest = this.#keys.keys().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
    return key;
  }
}
