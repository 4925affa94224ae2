/**
 * The functions invocations run, kept in memory between invocations: a warm invoke takes its
 * function's configuration from here rather than from the store (a query and three JSON parses,
 * a tenth of what Jeff's own process spends on an invoke).
 *
 * A copy serves while all of these hold: nothing was written through this node's store since it
 * was read (`Store.writeStamp`, taken before the read, so a change committed while the read ran
 * counts too); no notice of a committed change has come since, from this node or another (the
 * outbox's signal, which every mutating call and stack operation sends after its commit); and it
 * is younger than `maxAgeMs`. So this node's own changes are seen by its next invocation, another
 * node's as soon as its notice arrives, and within `maxAgeMs` should a notice be lost (notices are
 * hints). Lambda itself runs the previous configuration for a while after an update.
 */
import type { Store } from "../../store/index.js";
import { type FunctionRecord, type FunctionScope, findFunction } from "./function-records.js";

/** What tells of committed changes: the outbox's signal (`OutboxSignal.listen`). */
export interface ChangeNotices {
  listen(listener: () => void): () => void;
}

interface Copy {
  readonly record: FunctionRecord;
  readonly stamp: number;
  readonly notices: number;
  readonly readAt: number;
}

/** The longest a copy serves should the notice of another node's change be lost. */
export const functionCopyMaxAgeMs = 1_000;

/** Copies kept at most; past that the cache starts over rather than grow without bound. */
const maxCopies = 10_000;

export class FunctionCache {
  readonly #store: Store;
  readonly #maxAgeMs: number;
  readonly #copies = new Map<string, Copy>();
  #notices = 0;
  readonly #stop: () => void;

  constructor(store: Store, notices: ChangeNotices, options: { readonly maxAgeMs?: number } = {}) {
    this.#store = store;
    this.#maxAgeMs = options.maxAgeMs ?? functionCopyMaxAgeMs;
    this.#stop = notices.listen(() => {
      this.#notices++;
      this.#copies.clear();
    });
  }

  /** `$LATEST` of the function `name`, as `findFunction` reads it, or undefined. */
  async find(scope: FunctionScope, name: string): Promise<FunctionRecord | undefined> {
    const key = `${scope.accountId}/${scope.region}/${name}`;
    const now = performance.now();
    const stamp = this.#store.writeStamp;
    const copy = this.#copies.get(key);
    if (
      copy !== undefined &&
      copy.stamp === stamp &&
      copy.notices === this.#notices &&
      now - copy.readAt < this.#maxAgeMs
    ) {
      return copy.record;
    }
    const notices = this.#notices;
    const record = await findFunction(this.#store, scope, name);
    if (record === undefined) {
      this.#copies.delete(key);
      return undefined;
    }
    if (this.#copies.size >= maxCopies) this.#copies.clear();
    this.#copies.set(key, { record, stamp, notices, readAt: now });
    return record;
  }

  /** Stops listening for notices. */
  close(): void {
    this.#stop();
    this.#copies.clear();
  }
}
