import { type Wildcard, wildcardMatches } from "./value-matchers.js";

/** An entry found by a key; `verify` is a wildcard the value must still match (keyed by a literal end). */
export interface Keyed {
  readonly id: number;
  readonly verify?: Wildcard;
}

/** The hash of a key's characters in the order a lookup reads them (the key's end first, for "end"). */
function hashOf(key: string, fromEnd: boolean): number {
  let h = 0;
  const n = key.length;
  for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + key.charCodeAt(fromEnd ? n - 1 - i : i)) | 0;
  return h;
}

/** Spreads a hash's bits so that keys differing in their last characters land far apart. */
const mix = (h: number): number => Math.imul(h ^ (h >>> 16), 0x45d9f3b);

/**
 * Entries keyed by a string that must begin (or end) the value: one probe per distinct key
 * length, so the cost follows the keys' lengths, never how many entries share them. A lookup
 * hashes the value's first (last) characters as it reads them, one length after the next, and
 * probes a table of plain typed arrays: no substring is cut, and a probe that finds nothing
 * touches one slot.
 */
export class AffixTable {
  private readonly byKey = new Map<string, Keyed[]>();
  private built = false;
  private lengths = new Int32Array(0);
  /** Open addressing: per slot, the key's hash and its number in `keys` plus one (0: empty). */
  private hashes = new Int32Array(0);
  private slots = new Int32Array(0);
  private keys: string[] = [];
  private entries: Keyed[][] = [];
  /** A key's one entry's id when it has one entry and no wildcard to verify, else -1. */
  private single = new Int32Array(0);

  constructor(private readonly end: "start" | "end") {}

  get empty(): boolean {
    return this.byKey.size === 0;
  }

  add(key: string, entry: Keyed): void {
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [entry]);
    else list.push(entry);
    this.built = false;
  }

  private build(): void {
    const fromEnd = this.end === "end";
    this.keys = [...this.byKey.keys()];
    this.entries = [...this.byKey.values()];
    this.lengths = Int32Array.from(new Set(this.keys.map((k) => k.length))).sort();
    let capacity = 8;
    while (capacity < this.keys.length * 2) capacity *= 2;
    this.hashes = new Int32Array(capacity);
    this.slots = new Int32Array(capacity);
    this.single = new Int32Array(this.keys.length);
    const mask = capacity - 1;
    for (let k = 0; k < this.keys.length; k++) {
      const h = hashOf(this.keys[k]!, fromEnd);
      let at = mix(h) & mask;
      while (this.slots[at] !== 0) at = (at + 1) & mask;
      this.hashes[at] = h;
      this.slots[at] = k + 1;
      const list = this.entries[k]!;
      this.single[k] = list.length === 1 && list[0]!.verify === undefined ? list[0]!.id : -1;
    }
    this.built = true;
  }

  /** Appends to `out` the id of every entry whose key begins (ends) `value`, checking `original` against its wildcard. */
  lookup(value: string, original: string, out: number[]): void {
    if (!this.built) this.build();
    const fromEnd = this.end === "end";
    const length = value.length;
    const lengths = this.lengths;
    const hashes = this.hashes;
    const slots = this.slots;
    const mask = slots.length - 1;
    let h = 0;
    let read = 0;
    for (let l = 0; l < lengths.length; l++) {
      const n = lengths[l]!;
      if (n > length) return;
      for (; read < n; read++) {
        h = (Math.imul(h, 31) + value.charCodeAt(fromEnd ? length - 1 - read : read)) | 0;
      }
      for (let at = mix(h) & mask; slots[at] !== 0; at = (at + 1) & mask) {
        if (hashes[at] !== h) continue;
        const k = slots[at]! - 1;
        const key = this.keys[k]!;
        if (key.length !== n || !(fromEnd ? value.endsWith(key) : value.startsWith(key))) continue;
        const one = this.single[k]!;
        if (one >= 0) out.push(one);
        else {
          for (const entry of this.entries[k]!) {
            if (entry.verify === undefined || wildcardMatches(entry.verify, original)) out.push(entry.id);
          }
        }
      }
    }
  }
}
