/**
 * Pooled slots: runtimes started ahead of any function, so that a cold start pays for loading the
 * function's code and not for building a sandbox and starting Node or Python — what Lambda does
 * with its pre-initialised environments.
 *
 * A slot is an execution environment in `standby` (execution-environment.ts `startSlot`): its
 * sandbox, cgroup and network built for a kind — runtime, memory, /tmp size and the operator's
 * allowances, everything fixed when a sandbox starts — around an empty code folder of its own,
 * its runtime waiting on its channel. The pool keeps `size` of them per kind while that kind is
 * wanted: a kind is wanted from a cold start that needed it until `keepMs` after the last one,
 * so an idle Jeff ends with none, as it ends with no environments. After a cold start of a kind
 * the caller asks for the replacement (`refill`) once the new environment has served its first
 * invocation: started at once, the replacement's bubblewrap, pasta and runtime would compete for
 * the CPU with the very cold start the slot was there to make short.
 *
 * Invariant: a slot is taken once. Assigned, it is its function's for the rest of its life and
 * never comes back here; nothing of one function ever reaches a slot another function can get.
 */
import type { Logger } from "../../ops/index.js";
import type { ExecutionEnvironment, FunctionSpec, SlotSpec } from "./execution-environment.js";

/**
 * Variables read as a process starts (by Node, Python, the C library or the dynamic linker), which
 * a slot, already started without them, could not honour by setting them later. A function that
 * sets any of them starts its own process, as without the pool.
 */
const startTimeVariable =
  /^(NODE_|PYTHON|LC_|LD_|MALLOC_|UV_|OPENSSL_)|^(LANG|GLIBC_TUNABLES|AWS_LAMBDA_EXEC_WRAPPER)$/;

/**
 * The kind of slot an environment of `spec` can be, or undefined when it cannot start from one:
 * a `provided` runtime (its own `bootstrap`), or variables that act only at a process's start.
 */
export function slotKindOf(spec: FunctionSpec, allow: readonly string[]): SlotSpec | undefined {
  if (!/^(nodejs\d+\.x|python3\.\d+)$/.test(spec.runtime)) return undefined;
  if (Object.keys(spec.environment).some((name) => startTimeVariable.test(name))) return undefined;
  return {
    runtime: spec.runtime,
    memoryMb: spec.memoryMb,
    ...(spec.tmpMb === undefined ? {} : { tmpMb: spec.tmpMb }),
    allow: [...allow].sort(),
  };
}

/**
 * Kinds kept wanted at once: a node keeps at most this many times the pool's size in slots,
 * whatever memory and /tmp sizes its functions choose.
 */
export const maxKinds = 4;

export interface SlotCounts {
  readonly runtime: string;
  readonly memoryMb: number;
  /** /tmp's size in MB (512 unless EphemeralStorage says otherwise). */
  readonly tmpMb: number;
  readonly ready: number;
  readonly starting: number;
}

export interface SlotPoolOptions {
  /** Slots kept per wanted kind; 0: the pool keeps none. */
  readonly size: number;
  /** How long a kind stays wanted after it was last needed. */
  readonly keepMs: number;
  readonly start: (kind: SlotSpec) => Promise<ExecutionEnvironment>;
  readonly logger?: Logger;
}

interface Kind {
  readonly spec: SlotSpec;
  /** Started slots, oldest first. */
  readonly slots: ExecutionEnvironment[];
  starting: number;
  expiry?: NodeJS.Timeout;
}

export class SlotPool {
  readonly #options: SlotPoolOptions;
  readonly #kinds = new Map<string, Kind>();
  /** Slot starts in flight, which `close` waits for (and then ends what they started). */
  readonly #starts = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: SlotPoolOptions) {
    this.#options = options;
  }

  /**
   * A slot of `kind` for an environment about to start, preferring one whose runtime already
   * stands by; undefined when none is started. Either way the kind is wanted now; `refill` then
   * makes its slots up to the pool's size.
   */
  take(kind: SlotSpec): ExecutionEnvironment | undefined {
    if (this.#closed || this.#options.size === 0) return undefined;
    const key = keyOf(kind);
    let entry = this.#kinds.get(key);
    if (entry) {
      // The map's order is how recently each kind was wanted, least recently first.
      this.#kinds.delete(key);
      this.#kinds.set(key, entry);
    } else {
      entry = { spec: kind, slots: [], starting: 0 };
      this.#kinds.set(key, entry);
      // Functions choose their memory and /tmp sizes, so kinds are many; slots are kept for the
      // few most recently wanted, and the least recently wanted kind's slots end first.
      for (const [oldKey, oldEntry] of this.#kinds) {
        if (this.#kinds.size <= maxKinds) break;
        void Promise.all(this.#drop(oldKey, oldEntry));
      }
    }
    this.#keep(key, entry);
    const ready = entry.slots.findIndex((slot) => slot.standingBy);
    const index = ready >= 0 ? ready : entry.slots.findIndex((slot) => slot.state === "standby");
    const [taken] = index >= 0 ? entry.slots.splice(index, 1) : [];
    return taken;
  }

  /** Starts slots of `kind` up to the pool's size, if the kind is still wanted. */
  refill(kind: SlotSpec): void {
    if (this.#closed) return;
    const key = keyOf(kind);
    const entry = this.#kinds.get(key);
    if (entry) this.#refill(key, entry);
  }

  /** The slots of each wanted kind: `ready` once the runtime stands by, `starting` before. */
  counts(): SlotCounts[] {
    return [...this.#kinds.values()].map(({ spec, slots, starting }) => {
      const ready = slots.filter((slot) => slot.standingBy).length;
      return {
        runtime: spec.runtime,
        memoryMb: spec.memoryMb,
        tmpMb: spec.tmpMb ?? 512,
        ready,
        starting: starting + slots.length - ready,
      };
    });
  }

  /** Ends every slot, those still starting included. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#starts]);
    const ending: Promise<void>[] = [];
    for (const [key, entry] of this.#kinds) ending.push(...this.#drop(key, entry));
    await Promise.all(ending);
  }

  /** The kind stays wanted for `keepMs` from now; after that its slots end. */
  #keep(key: string, entry: Kind): void {
    clearTimeout(entry.expiry);
    entry.expiry = setTimeout(() => {
      this.#options.logger?.debug("no cold start needed these pooled slots lately, ending them", {
        runtime: entry.spec.runtime,
        memoryMb: entry.spec.memoryMb,
      });
      void Promise.all(this.#drop(key, entry));
    }, this.#options.keepMs);
    entry.expiry.unref();
  }

  #drop(key: string, entry: Kind): Promise<void>[] {
    clearTimeout(entry.expiry);
    if (this.#kinds.get(key) === entry) this.#kinds.delete(key);
    return entry.slots.splice(0).map((slot) => slot.kill());
  }

  #refill(key: string, entry: Kind): void {
    while (entry.slots.length + entry.starting < this.#options.size) {
      entry.starting++;
      const started = this.#options.start(entry.spec).then(
        (slot) => {
          entry.starting--;
          // A kind no longer wanted, or a pool closed meanwhile, keeps nothing.
          if (this.#closed || this.#kinds.get(key) !== entry) return slot.kill();
          entry.slots.push(slot);
          slot.onDeath(() => {
            const at = entry.slots.indexOf(slot);
            if (at >= 0) entry.slots.splice(at, 1);
          });
          return undefined;
        },
        (error: unknown) => {
          entry.starting--;
          // Not started again until the next cold start of the kind asks, so a slot that cannot
          // start costs one attempt per cold start, never a loop.
          this.#options.logger?.warn("could not start a pooled slot", { runtime: entry.spec.runtime, error });
        },
      );
      this.#starts.add(started);
      void started.finally(() => this.#starts.delete(started));
    }
  }
}

function keyOf(kind: SlotSpec): string {
  // No EphemeralStorage is Lambda's default, 512 MB: the same sandbox.
  return JSON.stringify([kind.runtime, kind.memoryMb, kind.tmpMb ?? 512, kind.allow]);
}
