/**
 * The edge's view of access keys: a cache in front of the store, so that verifying a signature
 * normally touches no disk, yet a key taken away stops working within seconds on every node.
 */
import type { CredentialLookup, CredentialRecord } from "../protocol/index.js";
import type { SqlExecutor } from "../store/index.js";
import { type AccessKey, findAccessKey } from "./access-keys.js";

/**
 * How long a key read from the store is trusted from memory. Another Jeff node sharing the
 * database (or an operator with a SQL prompt) may delete or deactivate a key, and nothing tells
 * this process; so after this long the key is read again, and a key that is gone is refused. The
 * node that makes the change calls `forget` and refuses it at once. A few seconds: a leaked key
 * stops working while its holder is still trying, and a busy client still costs one store read
 * every few seconds rather than one per request.
 */
export const credentialLifetimeMs = 5_000;

/**
 * From this age a hit still answers from memory but re-reads the key in the background, so a
 * client that keeps calling never waits on the store; only a key unused for a lifetime does.
 */
const refreshAfterMs = credentialLifetimeMs / 2;

/** Temporary credentials come and go; the cache starts over rather than grow without bound. */
const maxCachedKeys = 10_000;

/** How long an unknown key id is remembered as unknown, so a flood of bad keys does not reach the store. */
const negativeTtlMs = 5_000;

interface CachedKey {
  readonly record: CredentialRecord;
  /** When the read that found it began: its age counts from before the store answered. */
  readonly readAt: number;
}

export interface CachedCredentialsOptions {
  /** The clock, in epoch milliseconds; tests move it rather than wait. Default `Date.now`. */
  readonly now?: () => number;
}

/** The edge's credential lookup: active keys from the store, cached for `credentialLifetimeMs`. */
export class CachedCredentials implements CredentialLookup {
  private readonly known = new Map<string, CachedKey>();
  private readonly unknown = new Map<string, number>();
  /** One read per key at a time, so a burst of requests with a stale key reads the store once. */
  private readonly reading = new Map<string, Promise<CredentialRecord | undefined>>();
  private readonly now: () => number;

  constructor(
    private readonly db: SqlExecutor,
    options: CachedCredentialsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  find(accessKeyId: string): CredentialRecord | Promise<CredentialRecord | undefined> | undefined {
    const now = this.now();
    const hit = this.known.get(accessKeyId);
    if (hit) {
      const { record, readAt } = hit;
      if (record.expiresAt && record.expiresAt.getTime() <= now) {
        // An expired key is still answered (the edge refuses it as expired) but no longer kept.
        this.known.delete(accessKeyId);
        return record;
      }
      const age = now - readAt;
      if (age < refreshAfterMs) return record;
      if (age < credentialLifetimeMs) {
        // Should the read fail, the entry stays until its lifetime ends; the next read then fails
        // in front of a caller, which the edge reports.
        this.read(accessKeyId).catch(() => {});
        return record;
      }
      return this.read(accessKeyId);
    }
    const missedAt = this.unknown.get(accessKeyId);
    if (missedAt !== undefined && now - missedAt < negativeTtlMs) return undefined;
    return this.read(accessKeyId);
  }

  /**
   * Drops all this process knows of the key, so the next request with it reads the store. Code
   * that deletes, deactivates or reactivates a key calls it, and this node sees the change at once.
   */
  forget(accessKeyId: string): void {
    this.known.delete(accessKeyId);
    this.unknown.delete(accessKeyId);
    // A read already under way may have seen the key before the change; its answer is not kept.
    this.reading.delete(accessKeyId);
  }

  private read(accessKeyId: string): Promise<CredentialRecord | undefined> {
    const underWay = this.reading.get(accessKeyId);
    if (underWay !== undefined) return underWay;
    const readAt = this.now();
    const reading = findAccessKey(this.db, accessKeyId)
      .then((key) => {
        const record = key?.status === "Active" ? recordOf(key) : undefined;
        if (this.reading.get(accessKeyId) === reading) this.remember(accessKeyId, record, readAt);
        return record;
      })
      .finally(() => {
        if (this.reading.get(accessKeyId) === reading) this.reading.delete(accessKeyId);
      });
    this.reading.set(accessKeyId, reading);
    return reading;
  }

  private remember(accessKeyId: string, record: CredentialRecord | undefined, readAt: number): void {
    if (!record) {
      this.known.delete(accessKeyId);
      if (this.unknown.size >= maxCachedKeys) this.unknown.clear();
      this.unknown.set(accessKeyId, readAt);
      return;
    }
    this.unknown.delete(accessKeyId);
    if (!this.known.has(accessKeyId) && this.known.size >= maxCachedKeys) this.known.clear();
    this.known.set(accessKeyId, { record, readAt });
  }
}

function recordOf(key: AccessKey): CredentialRecord {
  return {
    secretAccessKey: key.secretAccessKey,
    caller: {
      accountId: key.accountId,
      arn: key.principalArn,
      userId: key.principalId,
      accessKeyId: key.accessKeyId,
      ...(key.sessionToken ? { sessionToken: key.sessionToken } : {}),
    },
    ...(key.sessionToken ? { sessionToken: key.sessionToken } : {}),
    ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
  };
}
