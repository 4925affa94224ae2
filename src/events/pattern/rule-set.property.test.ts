/**
 * For seeded random patterns and events, the compiled many-rule matcher (one RuleSet holding every
 * pattern) answers exactly as a plain interpreter that walks the pattern and the event directly.
 */
import { describe, expect, it } from "vitest";
import { compilePattern, RuleSet } from "./index.js";

/** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Leaf = null | boolean | number | string;

// ---- the reference interpreter: the documented semantics, one value at a time ----

/** The leaves at `path`, descending through objects and into every element of arrays. */
function leavesAt(node: Json | undefined, path: readonly string[]): Leaf[] {
  if (node === undefined) return [];
  if (Array.isArray(node)) return node.flatMap((element) => leavesAt(element, path));
  if (path.length === 0) return node !== null && typeof node === "object" ? [] : [node];
  if (node === null || typeof node !== "object") return [];
  return leavesAt(node[path[0]!], path.slice(1));
}

function wildcardRegex(w: string): RegExp {
  let source = "";
  for (let i = 0; i < w.length; i++) {
    if (w[i] === "\\") source += w[++i]!.replace(/[\\*]/, "\\$&");
    else if (w[i] === "*") source += "[\\s\\S]*";
    else source += w[i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function satisfies(leaf: Leaf, spec: Json): boolean {
  if (spec === null || typeof spec !== "object") return leaf === spec;
  const [op, arg] = Object.entries(spec as Record<string, Json>)[0]!;
  const s = typeof leaf === "string" ? leaf : undefined;
  switch (op) {
    case "prefix":
      if (typeof arg === "string") return s?.startsWith(arg) === true;
      return (
        s
          ?.toLowerCase()
          .startsWith(String((arg as Record<string, Json>)["equals-ignore-case"]).toLowerCase()) === true
      );
    case "suffix":
      if (typeof arg === "string") return s?.endsWith(arg) === true;
      return (
        s
          ?.toLowerCase()
          .endsWith(String((arg as Record<string, Json>)["equals-ignore-case"]).toLowerCase()) === true
      );
    case "equals-ignore-case":
      return s?.toLowerCase() === String(arg).toLowerCase();
    case "wildcard":
      return s !== undefined && wildcardRegex(String(arg)).test(s);
    case "exists":
      return arg === true;
    case "numeric": {
      if (typeof leaf !== "number") return false;
      const a = arg as (string | number)[];
      for (let i = 0; i < a.length; i += 2) {
        const v = a[i + 1] as number;
        const ok = { "=": leaf === v, "<": leaf < v, "<=": leaf <= v, ">": leaf > v, ">=": leaf >= v }[
          a[i] as string
        ];
        if (!ok) return false;
      }
      return true;
    }
    case "cidr": {
      const [net, bits] = String(arg).split("/");
      const ip = s === undefined ? undefined : ipv4(s);
      if (ip === undefined) return false;
      const size = 2 ** (32 - Number(bits));
      return Math.floor(ip / size) === Math.floor(ipv4(net!)! / size);
    }
    case "anything-but": {
      if (Array.isArray(arg)) return !arg.includes(leaf);
      if (arg === null || typeof arg !== "object") return leaf !== arg;
      const [inner, value] = Object.entries(arg)[0]!;
      const list = Array.isArray(value) ? value : [value];
      return !list.some((x) => satisfies(leaf, { [inner]: x }));
    }
    default:
      throw new Error(`the generator made an operator the reference does not know: ${op}`);
  }
}

/**
 * A pattern object against the event's value at `path`. Where that value is an array, one element
 * must satisfy the whole object, which is AWS's array consistency: no match combines fields of
 * different elements of one array. `exists: false` asks the whole event (as the flattened field).
 */
function matchObject(
  pattern: { [key: string]: Json },
  node: Json | undefined,
  root: Json,
  path: string[],
): boolean {
  const elements = (v: Json | undefined): (Json | undefined)[] =>
    Array.isArray(v) ? v.flatMap(elements) : [v];
  const candidates = elements(node);
  return (candidates.length > 0 ? candidates : [undefined]).some((c) => {
    const child = (key: string) =>
      c !== null && typeof c === "object" && !Array.isArray(c) ? c[key] : undefined;
    return Object.entries(pattern).every(([key, spec]) => {
      if (key === "$or")
        return (spec as { [key: string]: Json }[]).some((choice) => matchObject(choice, c, root, path));
      if (!Array.isArray(spec))
        return matchObject(spec as { [key: string]: Json }, child(key), root, [...path, key]);
      const leaves = leavesAt(child(key), []);
      return spec.some((one) =>
        one !== null && typeof one === "object" && (one as Record<string, Json>).exists === false
          ? leavesAt(root, [...path, key]).length === 0
          : leaves.some((leaf) => satisfies(leaf, one)),
      );
    });
  });
}

const referenceMatches = (pattern: { [key: string]: Json }, event: Json): boolean =>
  matchObject(pattern, event, event, []);

// ---- the generator ----

const strings = [
  "alpha",
  "Alpha",
  "alphabet",
  "beta",
  "betamax",
  "gamma",
  "",
  "a*b",
  "10.0.0.7",
  "10.0.1.9",
  "192.168.4.4",
];
const numbers = [-5, 0, 1, 2.5, 10, 99, 100, 1000];
const fields: string[][] = [
  ["source"],
  ["detail-type"],
  ["detail", "state"],
  ["detail", "count"],
  ["detail", "tags"],
  ["detail", "ip"],
  ["detail", "nested", "x"],
  ["detail", "items", "name"],
  ["detail", "items", "qty"],
];

function generators(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const someString = () => pick(strings);
  const someLeaf = (): Leaf => {
    const r = rand();
    return r < 0.6 ? someString() : r < 0.9 ? pick(numbers) : r < 0.95 ? null : rand() < 0.5;
  };
  const nonEmpty = () => pick(["al", "be", "ga", "ta", "max", "ph"]);
  const wildcard = () => pick(["al*", "*max", "a*b*t", "*et*", "al\\*b", "*", "10.0.*", "Al*a"]);
  const spec = (): Json => {
    switch (Math.floor(rand() * 14)) {
      case 0:
        return { prefix: nonEmpty() };
      case 1:
        return { suffix: nonEmpty() };
      case 2:
        return { "equals-ignore-case": pick(["ALPHA", "beta", "Gamma"]) };
      case 3:
        return { prefix: { "equals-ignore-case": pick(["AL", "Be"]) } };
      case 4:
        return { suffix: { "equals-ignore-case": pick(["HA", "Ta"]) } };
      case 5:
        return { wildcard: wildcard() };
      case 6: {
        const lo = pick(numbers);
        return rand() < 0.3
          ? { numeric: ["=", lo] }
          : rand() < 0.5
            ? { numeric: [pick([">", ">="]), lo] }
            : { numeric: [pick([">", ">="]), lo, pick(["<", "<="]), lo + 1 + Math.floor(rand() * 200)] };
      }
      case 7:
        return { cidr: pick(["10.0.0.0/24", "10.0.0.0/8", "192.168.0.0/16", "10.0.1.9/32"]) };
      case 8:
        return { exists: rand() < 0.6 };
      case 9:
        return { "anything-but": rand() < 0.5 ? someString() || "x" : [someString(), pick(numbers)] };
      case 10:
        return {
          "anything-but": {
            [pick(["prefix", "suffix"])]: rand() < 0.5 ? nonEmpty() : [nonEmpty(), nonEmpty()],
          },
        };
      case 11:
        return {
          "anything-but": {
            [pick(["equals-ignore-case", "wildcard"])]: rand() < 0.5 ? "ALPHA" : ["beta", "al*"],
          },
        };
      default:
        return someLeaf();
    }
  };
  const setAt = (obj: { [key: string]: Json }, path: string[], value: Json) => {
    let node = obj;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next === undefined || next === null || typeof next !== "object" || Array.isArray(next))
        node[part] = {};
      node = node[part] as { [key: string]: Json };
    }
    node[path[path.length - 1]!] = value;
  };
  // A field named both beside an $or and inside it is left out: how AWS combines the two is not
  // recorded, so neither answer would prove anything.
  const patternFields = (used: Set<string>): { [key: string]: Json } => {
    const out: { [key: string]: Json } = {};
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const free = fields.filter((f) => !used.has(f.join(".")));
      if (free.length === 0) break;
      const f = pick(free);
      setAt(out, f, Array.from({ length: 1 + Math.floor(rand() * 2) }, spec));
    }
    return out;
  };
  const pattern = (): { [key: string]: Json } => {
    const named = new Set<string>();
    const p = patternFields(named);
    if (rand() < 0.2) {
      for (const f of fields) if (JSON.stringify(p).includes(`"${f[f.length - 1]}":`)) named.add(f.join("."));
      p.$or = [patternFields(named), patternFields(named)];
    }
    return p;
  };
  const event = (): { [key: string]: Json } => {
    const e: { [key: string]: Json } = { id: "1", account: "1", region: "r", time: "t" };
    for (const f of fields) {
      if (rand() < 0.35) continue;
      if (f[1] === "items") {
        setAt(
          e,
          ["detail", "items"],
          Array.from({ length: Math.floor(rand() * 3) }, () => ({ name: someLeaf() })),
        );
        continue;
      }
      setAt(e, f, rand() < 0.25 ? Array.from({ length: Math.floor(rand() * 3) }, someLeaf) : someLeaf());
    }
    return e;
  };
  return { pattern, event };
}

describe("RuleSet against a reference interpreter", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`agrees on 300 rules × 300 events (seed ${seed})`, () => {
      const gen = generators(random(seed));
      const patterns = Array.from({ length: 300 }, gen.pattern);
      const set = new RuleSet<number>();
      for (const [i, p] of patterns.entries())
        set.set(i, compilePattern(JSON.stringify(p), { sizeLimit: 4096 }));
      let matched = 0;
      for (let n = 0; n < 300; n++) {
        const event = gen.event();
        const ours = new Set(set.matches(JSON.stringify(event)));
        for (const [i, p] of patterns.entries()) {
          const expected = referenceMatches(p, event);
          if (expected) matched++;
          if (ours.has(i) !== expected) {
            expect.fail(
              `seed ${seed}: rule ${i} ${JSON.stringify(p)} on ${JSON.stringify(event)}: expected ${expected}`,
            );
          }
        }
      }
      // The generator must exercise both answers, or agreement proves little.
      expect(matched).toBeGreaterThan(300);
      expect(matched).toBeLessThan(300 * 300 - 300);
    });
  }
});
