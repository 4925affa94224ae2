import { patternErrors as e, InvalidEventPatternError } from "./pattern-errors.js";
import { parsePatternJson } from "./pattern-json.js";
import {
  type ExcludedMatcher,
  fold,
  ipBits,
  leafKey,
  type NumericRange,
  type ValueMatcher,
  type Wildcard,
} from "./value-matchers.js";

/** The pattern size limit: EventBridge's default quota, in characters (adjustable up to 4,096). */
export const defaultPatternSizeLimit = 2048;
/** How many alternatives `$or` may multiply a pattern into. */
export const orCombinationLimit = 1000;
/** More `*` than this in one wildcard is refused as too complex. */
export const wildcardStarLimit = 5;

/** One field's condition: the field's path and the values any one of which it matches. */
export interface FieldCondition {
  readonly path: string;
  readonly matchers: readonly ValueMatcher[];
}

/**
 * One way a pattern can match (a pattern with `$or`, or with `exists: false` beside other
 * values, has several): every `fields` condition holds for some leaf, and no `absent` path has one.
 */
export interface Alternative {
  readonly fields: readonly FieldCondition[];
  readonly absent: readonly string[];
}

/** A validated pattern, ready to be added to a RuleSet or tested alone. */
export interface CompiledPattern {
  readonly alternatives: readonly Alternative[];
  /** Every path the pattern names, with every prefix of it: what an event's flattening keeps. */
  readonly paths: ReadonlySet<string>;
}

export interface CompileOptions {
  readonly sizeLimit?: number;
}

/** A field of the pattern before `exists: false` is split out: matchers, or absence, or both. */
interface RawField {
  path: string;
  matchers: ValueMatcher[];
  absentOk: boolean;
}

/** Validates a pattern's JSON text as EventBridge does and compiles it, or throws InvalidEventPatternError. */
export function compilePattern(text: string, options: CompileOptions = {}): CompiledPattern {
  const limit = options.sizeLimit ?? defaultPatternSizeLimit;
  if (text.length > limit) throw e.tooLong(limit);
  const root = parsePatternJson(text) as Record<string, unknown>;
  const branches = objectBranches(root, "");
  const alternatives: Alternative[] = [];
  for (const fields of branches) {
    let variants: Alternative[] = [{ fields: [], absent: [] }];
    for (const field of fields) {
      const next: Alternative[] = [];
      for (const v of variants) {
        if (field.matchers.length > 0) {
          next.push({
            fields: [...v.fields, { path: field.path, matchers: field.matchers }],
            absent: v.absent,
          });
        }
        if (field.absentOk) next.push({ fields: v.fields, absent: [...v.absent, field.path] });
      }
      variants = next;
      if (variants.length > orCombinationLimit) refuse(e.tooManyCombinations(orCombinationLimit));
    }
    alternatives.push(...variants);
    if (alternatives.length > orCombinationLimit) refuse(e.tooManyCombinations(orCombinationLimit));
  }
  const paths = new Set<string>();
  for (const a of alternatives) {
    for (const p of [...a.fields.map((f) => f.path), ...a.absent]) {
      const parts = p.split(".");
      for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join("."));
    }
  }
  return { alternatives, paths };
}

function refuse(reason: string): never {
  throw new InvalidEventPatternError(reason);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The conjunctions an object of the pattern stands for: one, times each `$or`'s choices. */
function objectBranches(obj: Record<string, unknown>, prefix: string): RawField[][] {
  let branches: RawField[][] = [[]];
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    let options: RawField[][];
    if (key === "$or" && Array.isArray(value) && value.length > 0 && value.every(isObject)) {
      options = value.flatMap((choice) => objectBranches(choice, prefix));
    } else if (Array.isArray(value)) {
      options = [[fieldOf(path, value)]];
    } else if (isObject(value)) {
      options = objectBranches(value, path);
    } else {
      refuse(e.fieldNotObjectOrArray(key));
    }
    const next: RawField[][] = [];
    for (const b of branches) for (const o of options) next.push([...b, ...o]);
    if (next.length > orCombinationLimit) refuse(e.tooManyCombinations(orCombinationLimit));
    branches = next;
  }
  return branches;
}

function fieldOf(path: string, values: unknown[]): RawField {
  if (values.length === 0) refuse(e.emptyArray());
  const field: RawField = { path, matchers: [], absentOk: false };
  for (const v of values) {
    const m = matcherOf(v);
    if (m === "absent") field.absentOk = true;
    else field.matchers.push(m);
  }
  return field;
}

function matcherOf(v: unknown): ValueMatcher | "absent" {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
    return { kind: "exact", key: leafKey(v) };
  }
  if (Array.isArray(v)) refuse(e.matchValue());
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) refuse(e.emptyObject());
  if (entries.length > 1) refuse(e.oneKeyOnly());
  const [op, arg] = entries[0]!;
  switch (op) {
    case "prefix":
    case "suffix":
      return affixOf(op, arg);
    case "equals-ignore-case":
      if (typeof arg !== "string") refuse(e.mustBeString("equals-ignore-case"));
      return { kind: "equals-ignore-case", text: fold(arg) };
    case "wildcard":
      if (typeof arg !== "string") refuse(e.mustBeString("wildcard"));
      return { kind: "wildcard", wildcard: wildcardOf(arg) };
    case "numeric":
      return { kind: "numeric", range: numericOf(arg) };
    case "cidr":
      // AWS's own wording for a cidr that is not a string.
      if (typeof arg !== "string") refuse(e.mustBeString("prefix"));
      return { kind: "cidr", network: cidrOf(arg) };
    case "exists":
      if (typeof arg !== "boolean") refuse(e.existsBoolean());
      return arg ? { kind: "exists" } : "absent";
    case "anything-but":
      return { kind: "anything-but", excluded: anythingButOf(arg) };
    default:
      refuse(e.unrecognisedMatchType(op));
  }
}

function affixOf(op: "prefix" | "suffix", arg: unknown): ValueMatcher {
  if (typeof arg === "string") return { kind: op, text: arg, ignoreCase: false };
  if (isObject(arg)) {
    const entries = Object.entries(arg);
    const [inner, text] = entries[0] ?? [];
    if (entries.length === 1 && inner === "equals-ignore-case" && typeof text === "string") {
      return { kind: op, text: fold(text), ignoreCase: true };
    }
  }
  refuse(e.mustBeString(op));
}

function anythingButOf(arg: unknown): ExcludedMatcher[] {
  if (typeof arg === "string" || typeof arg === "number") return [{ kind: "exact", key: leafKey(arg) }];
  if (Array.isArray(arg)) {
    if (arg.length === 0) refuse(e.emptyArray());
    return arg.map((x) => {
      if (typeof x !== "string" && typeof x !== "number") refuse(e.anythingButList());
      return { kind: "exact", key: leafKey(x) } as const;
    });
  }
  if (!isObject(arg)) refuse(e.anythingButValue());
  const entries = Object.entries(arg);
  if (entries.length === 0) refuse(e.emptyObject());
  if (entries.length > 1) refuse(e.oneKeyOnly());
  const [op, inner] = entries[0]!;
  if (isObject(inner)) refuse(e.anythingButValue());
  const list = Array.isArray(inner) ? inner : [inner];
  if (list.length === 0) refuse(e.emptyArray());
  switch (op) {
    case "prefix":
    case "suffix":
      return list.map((x) => {
        if (typeof x !== "string") refuse(e.mustBeString("prefix/suffix"));
        if (x === "") refuse(e.nullPrefixSuffix());
        return { kind: op, text: x, ignoreCase: false } as const;
      });
    case "equals-ignore-case":
      return list.map((x) => {
        if (typeof x !== "string") refuse(e.anythingButIgnoreCase());
        return { kind: "equals-ignore-case", text: fold(x) } as const;
      });
    case "wildcard":
      return list.map((x) => {
        if (typeof x !== "string") refuse(e.mustBeString("wildcard"));
        return { kind: "wildcard", wildcard: wildcardOf(x) } as const;
      });
    default:
      refuse(e.anythingButUnsupported(op));
  }
}

/** `*` matches any run of characters; `\*` and `\\` stand for themselves. */
function wildcardOf(text: string): Wildcard {
  const pieces: string[] = [""];
  let stars = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\") {
      const next = text[i + 1];
      if (next !== "*" && next !== "\\") refuse(e.wildcardEscape(i));
      pieces[pieces.length - 1] += next;
      i++;
    } else if (ch === "*") {
      if (text[i + 1] === "*") refuse(e.consecutiveWildcards(i + 1));
      stars++;
      pieces.push("");
    } else {
      pieces[pieces.length - 1] += ch;
    }
  }
  if (stars > wildcardStarLimit) refuse(e.wildcardTooComplex());
  return { pieces };
}

const lowerOps = new Set([">", ">="]);
const upperOps = new Set(["<", "<="]);

function numericOf(arg: unknown): NumericRange {
  if (!Array.isArray(arg)) refuse(e.numericArray());
  if (arg.length === 0) refuse(e.emptyArray());
  let low = Number.NEGATIVE_INFINITY;
  let lowOpen = true;
  let high = Number.POSITIVE_INFINITY;
  let highOpen = true;
  let seenLow = false;
  let seenHigh = false;
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const value = arg[i + 1];
    if (typeof op !== "string" || !(op === "=" || lowerOps.has(op) || upperOps.has(op))) {
      refuse(e.numericOperator(String(op)));
    }
    if (typeof value !== "number") refuse(e.numericValue(op));
    if (op === "=") {
      if (arg.length !== 2) refuse(e.numericBadOperator(op));
      return { low: value, lowOpen: false, high: value, highOpen: false };
    }
    if (lowerOps.has(op)) {
      if (seenLow) refuse(e.numericBadOperator(op));
      seenLow = true;
      low = value;
      lowOpen = op === ">";
    } else {
      if (seenHigh) refuse(e.numericBadOperator(op));
      seenHigh = true;
      high = value;
      highOpen = op === "<";
    }
  }
  if (low > high || (low === high && (lowOpen || highOpen))) refuse(e.numericBadRange());
  return { low, lowOpen, high, highOpen };
}

/** A CIDR block as the leading bits of the addresses in it (see ipBits). */
function cidrOf(text: string): string {
  const parts = text.split("/");
  if (parts.length !== 2) refuse(e.cidrSlash());
  const [address, mask] = parts as [string, string];
  if (!/^\d+$/.test(mask)) refuse(e.cidrMaskInteger());
  const bits = ipBits(address);
  if (bits === undefined) refuse(e.nonstandardIp(address));
  const max = bits.startsWith("4:") ? 32 : 128;
  const n = Number(mask);
  if (n > max) refuse(e.cidrMaskRange(max));
  return bits.slice(0, 2 + n);
}
