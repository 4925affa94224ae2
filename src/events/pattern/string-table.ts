import { fold } from "./value-matchers.js";

/** Spreads a hash's bits so that keys differing in their last characters land far apart. */
const mix = (h: number): number => Math.imul(h ^ (h >>> 16), 0x45d9f3b);

/** The hash of a key's characters, as a lookup computes it. */
function hashOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return h;
}

/**
 * Ids by exact string, for a field with many exact values (or, `folded`, many
 * equals-ignore-case values, kept folded): open addressing over one Int32Array, four numbers a
 * slot (the key's hash, where it starts in `keyText`, its length or -1 for an empty slot, and
 * its id, or -1 - k for ids[k] when it has several), and every key in one string. A lookup
 * hashes the value's characters, reads one slot (usually) and compares the characters with one
 * run of `keyText`: two reads of memory, where a `Map` reads its bucket, its entry and the key
 * string's header. At 10,000 rules these tables are out of the cache and each read is a miss.
 */
export class StringTable {
  private readonly byKey = new Map<string, number[]>();
  private built = false;
  private table = new Int32Array(0);
  private keyText = "";
  private ids: number[][] = [];

  /** `folded`: keys are folded, and a value is folded before it is looked up. */
  constructor(private readonly folded: boolean) {}

  add(key: string, id: number): void {
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [id]);
    else list.push(id);
    this.built = false;
  }

  private build(): void {
    const keys = [...this.byKey.keys()];
    this.ids = [...this.byKey.values()];
    this.keyText = keys.join("");
    let capacity = 8;
    while (capacity < keys.length * 2) capacity *= 2;
    const table = new Int32Array(4 * capacity);
    for (let at = 0; at < capacity; at++) table[4 * at + 2] = -1;
    const mask = capacity - 1;
    let offset = 0;
    for (const [k, key] of keys.entries()) {
      const h = hashOf(key);
      let at = mix(h) & mask;
      while (table[4 * at + 2] !== -1) at = (at + 1) & mask;
      const list = this.ids[k]!;
      table[4 * at] = h;
      table[4 * at + 1] = offset;
      table[4 * at + 2] = key.length;
      table[4 * at + 3] = list.length === 1 ? list[0]! : -1 - k;
      offset += key.length;
    }
    this.table = table;
    this.built = true;
  }

  /** Appends to `out` the ids of `value`'s key. */
  collect(value: string, out: number[]): void {
    if (!this.built) this.build();
    const n = value.length;
    let h = 0;
    if (this.folded) {
      // ASCII is folded here, as toLowerCase would; anything else by toLowerCase itself.
      for (let i = 0; i < n; i++) {
        let c = value.charCodeAt(i);
        if (c >= 128) {
          this.find(fold(value), hashOf(fold(value)), out);
          return;
        }
        if (c >= 65 && c <= 90) c += 32;
        h = (Math.imul(h, 31) + c) | 0;
      }
    } else for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + value.charCodeAt(i)) | 0;
    this.find(value, h, out);
  }

  private find(value: string, h: number, out: number[]): void {
    const table = this.table;
    const mask = (table.length >> 2) - 1;
    const n = value.length;
    for (let at = 4 * (mix(h) & mask); table[at + 2] !== -1; at = (at + 4) & (4 * mask + 3)) {
      if (table[at] !== h || table[at + 2] !== n || !this.keyIs(value, table[at + 1]!, n)) continue;
      const entry = table[at + 3]!;
      if (entry >= 0) out.push(entry);
      else {
        const ids = this.ids[-1 - entry]!;
        for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
      }
      return;
    }
  }

  /** Whether `value` (folded first, in a folded table) is the n characters of keyText at `offset`. */
  private keyIs(value: string, offset: number, n: number): boolean {
    const text = this.keyText;
    if (this.folded) {
      for (let i = 0; i < n; i++) {
        let c = value.charCodeAt(i);
        if (c >= 65 && c <= 90) c += 32;
        if (c !== text.charCodeAt(offset + i)) return false;
      }
      return true;
    }
    for (let i = 0; i < n; i++) if (value.charCodeAt(i) !== text.charCodeAt(offset + i)) return false;
    return true;
  }
}
