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
type Ids = number | readonly number[];

function push<K>(map: Map<K, Ids>, key: K, id: number): void {
  const ids = map.get(key);
  if (ids === undefined) map.set(key, id);
  else if (typeof ids === "number") map.set(key, [ids, id]);
  else (ids as number[]).push(id);
}

function pushIds(out: number[], ids: Ids | undefined): void {
  if (ids === undefined) return;
  if (typeof ids === "number") out.push(ids);
  else for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
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
  // Every table is made when its first matcher comes: most indexes hold one or two kinds, and a
  // lookup should touch only those (at 10,000 rules, memory reads are most of a match's cost).
  /** The one exact string, while there is one (the usual case for a field after the first). */
  private oneString: string | undefined;
  private oneStringIds: Ids = [];
  private strings: Map<string, Ids> | undefined;
  private numbers: Map<number, Ids> | undefined;
  private trues: number[] | undefined;
  private falses: number[] | undefined;
  private nulls: number[] | undefined;
  private exists: number[] | undefined;
  /** Whether any matcher but an exact one or exists looks at strings. */
  private stringOps: StringOps | undefined;
  private numeric: NumericIndex | undefined;
  /** The condition of each anything-but; one condition may hold several. */
  private anythingBut: number[] | undefined;
  /** What each anything-but excludes, indexed like any matcher, under its place in `anythingBut`. */
  private excluded: FieldIndex | undefined;
  /** Which anything-but a leaf was excluded by, marked with `generation`. */
  private excludedBy = new Int32Array(0);
  private generation = 0;

  add(m: ValueMatcher, id: number): void {
    switch (m.kind) {
      case "exact":
        this.addExact(m.key, id);
        return;
      case "wildcard":
        if (m.wildcard.pieces.length === 1) {
          this.addString(m.wildcard.pieces[0]!, id);
          return;
        }
        break;
      case "numeric":
        this.numeric ??= new NumericIndex();
        this.numeric.add(m.range, id);
        return;
      case "exists":
        this.exists ??= [];
        this.exists.push(id);
        return;
      case "anything-but":
        this.excluded ??= new FieldIndex();
        this.anythingBut ??= [];
        for (const x of m.excluded) this.excluded.add(x, this.anythingBut.length);
        this.anythingBut.push(id);
        return;
      default:
        break;
    }
    this.stringOps ??= new StringOps();
    this.stringOps.add(m, id);
  }

  private addString(text: string, id: number): void {
    if (this.strings !== undefined) push(this.strings, text, id);
    else if (this.oneString === undefined) {
      this.oneString = text;
      this.oneStringIds = id;
    } else if (this.oneString === text) {
      const ids = this.oneStringIds;
      this.oneStringIds = typeof ids === "number" ? [ids, id] : [...ids, id];
    } else {
      this.strings = new Map([[this.oneString, this.oneStringIds]]);
      this.oneString = undefined;
      push(this.strings, text, id);
    }
  }

  /** An exact value by its leafKey: "s:text", "n:number", "b:true", "b:false" or "null". */
  private addExact(key: string, id: number): void {
    if (key.startsWith("s:")) {
      this.addString(key.slice(2), id);
    } else if (key.startsWith("n:")) {
      const n = Number(key.slice(2));
      // leafKey writes every number as String(n) does: any other spelling matches no leaf.
      this.numbers ??= new Map();
      if (`n:${n}` === key) push(this.numbers, n, id);
    } else if (key === "b:true") this.trues = [...(this.trues ?? []), id];
    else if (key === "b:false") this.falses = [...(this.falses ?? []), id];
    else if (key === "null") this.nulls = [...(this.nulls ?? []), id];
  }

  /** Appends to `out` the id of every matcher `leaf` satisfies (an id may come more than once). */
  collect(leaf: Leaf, out: number[]): void {
    if (typeof leaf === "string") {
      if (this.oneString !== undefined) {
        if (leaf === this.oneString) pushIds(out, this.oneStringIds);
      } else if (this.strings !== undefined) pushIds(out, this.strings.get(leaf));
      if (this.stringOps !== undefined) this.stringOps.collect(leaf, out);
    } else if (typeof leaf === "number") {
      if (this.numbers !== undefined) pushIds(out, this.numbers.get(leaf));
      if (this.numeric !== undefined) this.numeric.collect(leaf, out);
    } else if (leaf === true) pushIds(out, this.trues);
    else if (leaf === false) pushIds(out, this.falses);
    else pushIds(out, this.nulls);
    if (this.exists !== undefined) pushIds(out, this.exists);
    if (this.anythingBut !== undefined) this.collectAnythingBut(this.anythingBut, leaf, out);
  }

  private collectAnythingBut(anythingBut: readonly number[], leaf: Leaf, out: number[]): void {
    const hits: number[] = [];
    this.excluded?.collect(leaf, hits);
    if (hits.length === 0) {
      pushIds(out, anythingBut);
      return;
    }
    if (this.excludedBy.length !== anythingBut.length) {
      this.excludedBy = new Int32Array(anythingBut.length);
      this.generation = 0;
    }
    if (++this.generation === 0x7fffffff) {
      this.generation = 1;
      this.excludedBy.fill(0);
    }
    const gen = this.generation;
    for (let i = 0; i < hits.length; i++) this.excludedBy[hits[i]!] = gen;
    for (let k = 0; k < anythingBut.length; k++) {
      if (this.excludedBy[k] !== gen) out.push(anythingBut[k]!);
    }
  }
}

/**
 * The matchers of one field that look at a string beyond its exact value: ignore-case values,
 * prefixes, suffixes, wildcards and CIDR blocks, each table made when its first matcher comes.
 */
class StringOps {
  private ignoreCase: Map<string, Ids> | undefined;
  private prefix: AffixTable | undefined;
  private suffix: AffixTable | undefined;
  private prefixFolded: AffixTable | undefined;
  private suffixFolded: AffixTable | undefined;
  private folded = false;
  private wildcards: { wildcard: Wildcard; id: number }[] | undefined;
  /** IPv4 blocks as ranges of 32-bit addresses. */
  private cidr4: NumericIndex | undefined;
  /** IPv6 blocks by their bits ("6:0101…"), a prefix of the address's bits. */
  private cidr6: AffixTable | undefined;

  add(m: ValueMatcher, id: number): void {
    switch (m.kind) {
      case "equals-ignore-case":
        this.ignoreCase ??= new Map();
        push(this.ignoreCase, m.text, id);
        this.folded = true;
        return;
      case "prefix":
        if (m.ignoreCase) {
          this.prefixFolded ??= new AffixTable("start");
          this.prefixFolded.add(m.text, { id });
          this.folded = true;
        } else {
          this.prefix ??= new AffixTable("start");
          this.prefix.add(m.text, { id });
        }
        return;
      case "suffix":
        if (m.ignoreCase) {
          this.suffixFolded ??= new AffixTable("end");
          this.suffixFolded.add(m.text, { id });
          this.folded = true;
        } else {
          this.suffix ??= new AffixTable("end");
          this.suffix.add(m.text, { id });
        }
        return;
      case "wildcard": {
        const { pieces } = m.wildcard;
        const first = pieces[0]!;
        const last = pieces[pieces.length - 1]!;
        // One `*`, at an end, is a plain prefix or suffix: nothing is left to verify.
        const plain = pieces.length === 2;
        if (first !== "") {
          this.prefix ??= new AffixTable("start");
          this.prefix.add(first, plain && last === "" ? { id } : { id, verify: m.wildcard });
        } else if (last !== "") {
          this.suffix ??= new AffixTable("end");
          this.suffix.add(last, plain ? { id } : { id, verify: m.wildcard });
        } else {
          this.wildcards ??= [];
          this.wildcards.push({ wildcard: m.wildcard, id });
        }
        return;
      }
      case "cidr":
        if (m.network.startsWith("4:")) {
          const bits = m.network.slice(2);
          const size = 2 ** (32 - bits.length);
          const low = bits === "" ? 0 : Number.parseInt(bits, 2) * size;
          this.cidr4 ??= new NumericIndex();
          this.cidr4.add({ low, lowOpen: false, high: low + size - 1, highOpen: false }, id);
        } else {
          this.cidr6 ??= new AffixTable("start");
          this.cidr6.add(m.network, { id });
        }
        return;
      default:
        throw new Error(`not a string matcher: ${m.kind}`);
    }
  }

  collect(s: string, out: number[]): void {
    this.prefix?.lookup(s, s, out);
    this.suffix?.lookup(s, s, out);
    if (this.folded) {
      const folded = fold(s);
      if (this.ignoreCase !== undefined) pushIds(out, this.ignoreCase.get(folded));
      this.prefixFolded?.lookup(folded, s, out);
      this.suffixFolded?.lookup(folded, s, out);
    }
    if (this.wildcards !== undefined) {
      for (const w of this.wildcards) if (wildcardMatches(w.wildcard, s)) out.push(w.id);
    }
    if (this.cidr4 !== undefined || this.cidr6 !== undefined) {
      const v4 = ipv4Number(s);
      if (v4 !== undefined) this.cidr4?.collect(v4, out);
      else if (this.cidr6 !== undefined) {
        const bits = ipBits(s);
        if (bits !== undefined) this.cidr6.lookup(bits, bits, out);
      }
    }
  }
}
