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
  /**
   * Open addressing, four numbers a slot, so that a probe reads one run of memory: the key's
   * hash, where the key starts in `keyText`, its length (-1: an empty slot), and its entry: the
   * id itself when the key has one entry and no wildcard to verify, else -1 - k for entries[k].
   */
  private table = new Int32Array(0);
  /** Every key, one after the other. */
  private keyText = "";
  private entries: Keyed[][] = [];

  constructor(private readonly end: "start" | "end") {}

  add(key: string, entry: Keyed): void {
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [entry]);
    else list.push(entry);
    this.built = false;
  }

  private build(): void {
    const fromEnd = this.end === "end";
    const keys = [...this.byKey.keys()];
    this.entries = [...this.byKey.values()];
    this.keyText = keys.join("");
    this.lengths = Int32Array.from(new Set(keys.map((k) => k.length))).sort();
    let capacity = 8;
    while (capacity < keys.length * 2) capacity *= 2;
    const table = new Int32Array(4 * capacity);
    for (let at = 0; at < capacity; at++) table[4 * at + 2] = -1;
    const mask = capacity - 1;
    let offset = 0;
    for (const [k, key] of keys.entries()) {
      const h = hashOf(key, fromEnd);
      let at = mix(h) & mask;
      while (table[4 * at + 2] !== -1) at = (at + 1) & mask;
      const list = this.entries[k]!;
      table[4 * at] = h;
      table[4 * at + 1] = offset;
      table[4 * at + 2] = key.length;
      table[4 * at + 3] = list.length === 1 && list[0]!.verify === undefined ? list[0]!.id : -1 - k;
      offset += key.length;
    }
    this.table = table;
    this.built = true;
  }

  /** Appends to `out` the id of every entry whose key begins (ends) `value`, checking `original` against its wildcard. */
  lookup(value: string, original: string, out: number[]): void {
    if (!this.built) this.build();
    const fromEnd = this.end === "end";
    const length = value.length;
    const lengths = this.lengths;
    const table = this.table;
    const mask = (table.length >> 2) - 1;
    let h = 0;
    let read = 0;
    for (let l = 0; l < lengths.length; l++) {
      const n = lengths[l]!;
      if (n > length) return;
      for (; read < n; read++) {
        h = (Math.imul(h, 31) + value.charCodeAt(fromEnd ? length - 1 - read : read)) | 0;
      }
      for (let at = 4 * (mix(h) & mask); table[at + 2] !== -1; at = (at + 4) & (4 * mask + 3)) {
        if (table[at] !== h || table[at + 2] !== n || !this.keyAt(value, table[at + 1]!, n, fromEnd))
          continue;
        const entry = table[at + 3]!;
        if (entry >= 0) out.push(entry);
        else {
          for (const e of this.entries[-1 - entry]!) {
            if (e.verify === undefined || wildcardMatches(e.verify, original)) out.push(e.id);
          }
        }
      }
    }
  }

  /** Whether `value` begins (ends) with the n characters of keyText at `offset`. */
  private keyAt(value: string, offset: number, n: number, fromEnd: boolean): boolean {
    const text = this.keyText;
    const start = fromEnd ? value.length - n : 0;
    for (let i = 0; i < n; i++) if (value.charCodeAt(start + i) !== text.charCodeAt(offset + i)) return false;
    return true;
  }
}
