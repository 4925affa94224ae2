import { AffixTable } from "./affix-table.js";
import { NumericIndex } from "./numeric-index.js";
import {
  fold,
  ipBits,
  ipv4Number,
  type Leaf,
  type ValueMatcher,
  type Wildcard,
  wildcardMatches,
} from "./value-matchers.js";

/** Ids by key: one id as itself (the usual case, one fewer object to reach), more as an array. */
type Ids = number | number[];

function push<K>(map: Map<K, Ids>, key: K, id: number): void {
  const ids = map.get(key);
  if (ids === undefined) map.set(key, id);
  else if (typeof ids === "number") map.set(key, [ids, id]);
  else ids.push(id);
}

function pushIds(out: number[], ids: Ids | undefined): void {
  if (ids === undefined) return;
  if (typeof ids === "number") out.push(ids);
  else for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
}

function pushAll(out: number[], ids: readonly number[]): void {
  for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
}

/**
 * Every matcher of every rule on one field path, organised so a leaf value finds the ones it
 * satisfies by lookups: exact values by hash on the value itself (strings and numbers apart, so
 * no key is built per leaf), ignore-case values by hash of the folded value, prefixes, suffixes,
 * wildcards' literal ends and IPv6 CIDR blocks by one probe per key length, IPv4
 * CIDR blocks as ranges of addresses. Only numeric ranges (by binary search), wildcards with no
 * literal end and anything-but's survivors are walked.
 */
export class FieldIndex {
  private readonly strings = new Map<string, Ids>();
  private readonly numbers = new Map<number, Ids>();
  private readonly trues: number[] = [];
  private readonly falses: number[] = [];
  private readonly nulls: number[] = [];
  private readonly ignoreCase = new Map<string, Ids>();
  private readonly prefix = new AffixTable("start");
  private readonly suffix = new AffixTable("end");
  private readonly prefixFolded = new AffixTable("start");
  private readonly suffixFolded = new AffixTable("end");
  private readonly numeric = new NumericIndex();
  /** IPv4 blocks as ranges of 32-bit addresses. */
  private readonly cidr4 = new NumericIndex();
  /** IPv6 blocks by their bits ("6:0101…"), a prefix of the address's bits. */
  private readonly cidr6 = new AffixTable("start");
  private readonly wildcards: { wildcard: Wildcard; id: number }[] = [];
  private readonly exists: number[] = [];
  /** The condition of each anything-but; one condition may hold several. */
  private readonly anythingBut: number[] = [];
  /** What each anything-but excludes, indexed like any matcher, under its place in `anythingBut`. */
  private excluded: FieldIndex | undefined;
  /** Which anything-but a leaf was excluded by, marked with `generation`. */
  private excludedBy = new Int32Array(0);
  private generation = 0;
  private hasStringOps = false;
  private hasFolded = false;

  add(m: ValueMatcher, id: number): void {
    switch (m.kind) {
      case "exact":
        this.addExact(m.key, id);
        return;
      case "equals-ignore-case":
        push(this.ignoreCase, m.text, id);
        this.hasFolded = true;
        break;
      case "prefix":
        if (m.ignoreCase) this.hasFolded = true;
        (m.ignoreCase ? this.prefixFolded : this.prefix).add(m.text, { id });
        break;
      case "suffix":
        if (m.ignoreCase) this.hasFolded = true;
        (m.ignoreCase ? this.suffixFolded : this.suffix).add(m.text, { id });
        break;
      case "wildcard": {
        const { pieces } = m.wildcard;
        if (pieces.length === 1) {
          push(this.strings, pieces[0]!, id);
          return;
        }
        const first = pieces[0]!;
        const last = pieces[pieces.length - 1]!;
        // One `*`, at an end, is a plain prefix or suffix: nothing is left to verify.
        const plain = pieces.length === 2;
        if (first !== "") this.prefix.add(first, plain && last === "" ? { id } : { id, verify: m.wildcard });
        else if (last !== "") this.suffix.add(last, plain ? { id } : { id, verify: m.wildcard });
        else this.wildcards.push({ wildcard: m.wildcard, id });
        break;
      }
      case "numeric":
        this.numeric.add(m.range, id);
        return;
      case "cidr":
        if (m.network.startsWith("4:")) {
          const bits = m.network.slice(2);
          const size = 2 ** (32 - bits.length);
          const low = bits === "" ? 0 : Number.parseInt(bits, 2) * size;
          this.cidr4.add({ low, lowOpen: false, high: low + size - 1, highOpen: false }, id);
        } else this.cidr6.add(m.network, { id });
        break;
      case "exists":
        this.exists.push(id);
        return;
      case "anything-but":
        this.excluded ??= new FieldIndex();
        for (const x of m.excluded) this.excluded.add(x, this.anythingBut.length);
        this.anythingBut.push(id);
        return;
      default: {
        const never: never = m;
        throw new Error(`unknown matcher ${JSON.stringify(never)}`);
      }
    }
    this.hasStringOps = true;
  }

  /** An exact value by its leafKey: "s:text", "n:number", "b:true", "b:false" or "null". */
  private addExact(key: string, id: number): void {
    if (key.startsWith("s:")) push(this.strings, key.slice(2), id);
    else if (key.startsWith("n:")) {
      const n = Number(key.slice(2));
      // leafKey writes every number as String(n) does: any other spelling matches no leaf.
      if (`n:${n}` === key) push(this.numbers, n, id);
    } else if (key === "b:true") this.trues.push(id);
    else if (key === "b:false") this.falses.push(id);
    else if (key === "null") this.nulls.push(id);
  }

  /** Appends to `out` the id of every matcher `leaf` satisfies (an id may come more than once). */
  collect(leaf: Leaf, out: number[]): void {
    if (typeof leaf === "string") {
      pushIds(out, this.strings.get(leaf));
      if (this.hasStringOps) this.collectString(leaf, out);
    } else if (typeof leaf === "number") {
      pushIds(out, this.numbers.get(leaf));
      if (this.numeric.size > 0) this.numeric.collect(leaf, out);
    } else if (leaf === true) pushAll(out, this.trues);
    else if (leaf === false) pushAll(out, this.falses);
    else pushAll(out, this.nulls);
    if (this.exists.length > 0) pushAll(out, this.exists);
    if (this.anythingBut.length > 0) this.collectAnythingBut(leaf, out);
  }

  private collectAnythingBut(leaf: Leaf, out: number[]): void {
    const hits: number[] = [];
    this.excluded?.collect(leaf, hits);
    if (hits.length === 0) {
      pushAll(out, this.anythingBut);
      return;
    }
    if (this.excludedBy.length !== this.anythingBut.length) {
      this.excludedBy = new Int32Array(this.anythingBut.length);
      this.generation = 0;
    }
    if (++this.generation === 0x7fffffff) {
      this.generation = 1;
      this.excludedBy.fill(0);
    }
    const gen = this.generation;
    for (let i = 0; i < hits.length; i++) this.excludedBy[hits[i]!] = gen;
    for (let k = 0; k < this.anythingBut.length; k++) {
      if (this.excludedBy[k] !== gen) out.push(this.anythingBut[k]!);
    }
  }

  private collectString(s: string, out: number[]): void {
    this.prefix.lookup(s, s, out);
    this.suffix.lookup(s, s, out);
    if (this.hasFolded) {
      const folded = fold(s);
      pushIds(out, this.ignoreCase.get(folded));
      this.prefixFolded.lookup(folded, s, out);
      this.suffixFolded.lookup(folded, s, out);
    }
    for (const w of this.wildcards) if (wildcardMatches(w.wildcard, s)) out.push(w.id);
    if (this.cidr4.size > 0 || !this.cidr6.empty) {
      const v4 = ipv4Number(s);
      if (v4 !== undefined) {
        if (this.cidr4.size > 0) this.cidr4.collect(v4, out);
      } else if (!this.cidr6.empty) {
        const bits = ipBits(s);
        if (bits !== undefined) this.cidr6.lookup(bits, bits, out);
      }
    }
  }
}
