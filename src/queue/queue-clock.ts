/**
 * Time, injected: the queue reads the time and sets its timers only through a `QueueClock`, so a
 * test moves time forward (`ManualClock.advance`) instead of waiting for it.
 */

export interface QueueClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now; the function returned cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
}

/** setTimeout's ceiling (about 24.8 days); a longer delay would fire at once. */
const longestTimerMs = 2 ** 31 - 1;

/** The real clock. Its timers are unref'd: a queue waiting for work never keeps the process alive. */
export const systemClock: QueueClock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, Math.min(Math.max(0, delayMs), longestTimerMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface ManualTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/** A clock that moves only when told to; `advance` runs the timers that came due, in time order. */
export class ManualClock implements QueueClock {
  #now: number;
  #order = 0;
  readonly #timers = new Set<ManualTimer>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer: ManualTimer = { at: this.#now + Math.max(0, delayMs), order: this.#order++, callback };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing each timer that comes due at its own moment. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = this.#earliestBy(end);
      if (!next) break;
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = end;
  }

  #earliestBy(end: number): ManualTimer | undefined {
    let earliest: ManualTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.at > end) continue;
      if (!earliest || timer.at < earliest.at || (timer.at === earliest.at && timer.order < earliest.order)) {
        earliest = timer;
      }
    }
    return earliest;
  }
}
