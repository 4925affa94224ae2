import { NumericIndex } from "./numeric-index.js";
import {
  fold,
  ipBits,
  type Leaf,
  leafKey,
  type ValueMatcher,
  type Wildcard,
  wildcardMatches,
} from "./value-matchers.js";

/** An entry found by a key; `verify` is a wildcard the value must still match (keyed by a literal end). */
interface Keyed {
  readonly id: number;
  readonly verify?: Wildcard;
}

/**
 * Entries keyed by a string that must begin (or end) the value: one hash lookup per distinct key
 * length, so the cost follows the keys' lengths, never how many entries share them.
 */
class AffixTable {
  private readonly lengths: number[] = [];
  private readonly byKey = new Map<string, Keyed[]>();

  constructor(private readonly end: "start" | "end") {}

  add(key: string, entry: Keyed): void {
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [entry]);
    else list.push(entry);
    if (!this.lengths.includes(key.length)) {
      this.lengths.push(key.length);
      this.lengths.sort((a, b) => a - b);
    }
  }

  get empty(): boolean {
    return this.byKey.size === 0;
  }

  lookup(value: string, original: string, emit: (id: number) => void): void {
    for (const n of this.lengths) {
      if (n > value.length) return;
      const key = this.end === "start" ? value.slice(0, n) : value.slice(value.length - n);
      const list = this.byKey.get(key);
      if (list === undefined) continue;
      for (const entry of list) {
        if (entry.verify === undefined || wildcardMatches(entry.verify, original)) emit(entry.id);
      }
    }
  }
}

function push<K>(map: Map<K, number[]>, key: K, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else list.push(id);
}

/**
 * Every matcher of every rule on one field path, organised so a leaf value finds the ones it
 * satisfies by lookups: exact values and ignore-case values by hash, prefixes, suffixes, CIDR
 * blocks and wildcards' literal ends by hash per key length. Only numeric ranges, wildcards with
 * no literal end and anything-but's survivors are walked.
 */
export class FieldIndex {
  private readonly exact = new Map<string, number[]>();
  private readonly ignoreCase = new Map<string, number[]>();
  private readonly prefix = new AffixTable("start");
  private readonly suffix = new AffixTable("end");
  private readonly prefixFolded = new AffixTable("start");
  private readonly suffixFolded = new AffixTable("end");
  private readonly cidr = new AffixTable("start");
  private readonly numeric = new NumericIndex();
  private readonly wildcards: { wildcard: Wildcard; id: number }[] = [];
  private readonly exists: number[] = [];
  /** The condition of each anything-but; one condition may hold several. */
  private readonly anythingBut: number[] = [];
  /** What each anything-but excludes, indexed like any matcher, under its place in `anythingBut`. */
  private excluded: FieldIndex | undefined;
  private hasStringOps = false;

  add(m: ValueMatcher, id: number): void {
    switch (m.kind) {
      case "exact":
        push(this.exact, m.key, id);
        return;
      case "equals-ignore-case":
        push(this.ignoreCase, m.text, id);
        break;
      case "prefix":
        (m.ignoreCase ? this.prefixFolded : this.prefix).add(m.text, { id });
        break;
      case "suffix":
        (m.ignoreCase ? this.suffixFolded : this.suffix).add(m.text, { id });
        break;
      case "wildcard": {
        const { pieces } = m.wildcard;
        if (pieces.length === 1) {
          push(this.exact, `s:${pieces[0]}`, id);
          return;
        }
        const first = pieces[0]!;
        const last = pieces[pieces.length - 1]!;
        if (first !== "") this.prefix.add(first, { id, verify: m.wildcard });
        else if (last !== "") this.suffix.add(last, { id, verify: m.wildcard });
        else this.wildcards.push({ wildcard: m.wildcard, id });
        break;
      }
      case "numeric":
        this.numeric.add(m.range, id);
        return;
      case "cidr":
        this.cidr.add(m.network, { id });
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

  /** Calls `emit` with the id of every matcher `leaf` satisfies (an id may come more than once). */
  collect(leaf: Leaf, emit: (id: number) => void): void {
    const exact = this.exact.get(leafKey(leaf));
    if (exact !== undefined) for (const id of exact) emit(id);
    if (typeof leaf === "string" && this.hasStringOps) this.collectString(leaf, emit);
    else if (typeof leaf === "number") {
      if (this.numeric.size > 0) this.numeric.collect(leaf, emit);
    }
    for (const id of this.exists) emit(id);
    if (this.anythingBut.length > 0) {
      const hit = new Set<number>();
      this.excluded?.collect(leaf, (k) => hit.add(k));
      for (const [k, id] of this.anythingBut.entries()) if (!hit.has(k)) emit(id);
    }
  }

  private collectString(s: string, emit: (id: number) => void): void {
    this.prefix.lookup(s, s, emit);
    this.suffix.lookup(s, s, emit);
    if (this.ignoreCase.size > 0 || !this.prefixFolded.empty || !this.suffixFolded.empty) {
      const folded = fold(s);
      const ic = this.ignoreCase.get(folded);
      if (ic !== undefined) for (const id of ic) emit(id);
      this.prefixFolded.lookup(folded, s, emit);
      this.suffixFolded.lookup(folded, s, emit);
    }
    for (const w of this.wildcards) if (wildcardMatches(w.wildcard, s)) emit(w.id);
    if (!this.cidr.empty) {
      const bits = ipBits(s);
      if (bits !== undefined) this.cidr.lookup(bits, bits, emit);
    }
  }
}
