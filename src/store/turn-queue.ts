/**
 * A first-come, first-served async lock. The SQLite engine has one connection, so an async
 * transaction must keep everyone else out until it ends, and whoever waits goes in arrival order.
 */
export class TurnQueue {
  #taken = false;
  readonly #waiting: Array<() => void> = [];

  /** No one holds the turn (and so no one waits for it). */
  get isFree(): boolean {
    return !this.#taken;
  }

  /** Resolves once the caller holds the turn; it must `give()` it back. */
  take(): Promise<void> {
    if (!this.#taken) {
      this.#taken = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the turn straight to the next in line, so no newcomer can jump ahead. */
  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#taken = false;
  }
}
