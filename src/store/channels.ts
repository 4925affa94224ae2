/** The listeners of `Store.subscribe`, by channel, for either engine to call when a notice comes. */
import { StoreMisuseError } from "./store-errors.js";

const channelPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/** Refuses a channel name that is not one PostgreSQL takes as it is. */
export function checkChannel(channel: string): void {
  if (typeof channel !== "string" || !channelPattern.test(channel)) {
    throw new StoreMisuseError(
      `a channel is 1-63 lower-case letters, digits and _, starting with a letter or _, not ${JSON.stringify(channel)}`,
    );
  }
}

export class Channels {
  readonly #listeners = new Map<string, Set<() => void>>();

  /** Adds `listener`; true when it is the channel's first, so the engine starts listening. */
  add(channel: string, listener: () => void): boolean {
    checkChannel(channel);
    let set = this.#listeners.get(channel);
    const first = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    return first;
  }

  remove(channel: string, listener: () => void): void {
    const set = this.#listeners.get(channel);
    set?.delete(listener);
    if (set?.size === 0) this.#listeners.delete(channel);
  }

  get names(): string[] {
    return [...this.#listeners.keys()];
  }

  /** Runs the channel's listeners; one that throws does not stop the others. */
  deliver(channel: string): void {
    for (const listener of [...(this.#listeners.get(channel) ?? [])]) {
      try {
        listener();
      } catch {
        // A listener's own failure is its own; the notice was only a hint.
      }
    }
  }
}
