import { patternErrors as e, InvalidEventPatternError } from "./pattern-errors.js";
import { locationSuffix, parsePatternJson, type ValueSpan } from "./pattern-json.js";
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
  const doc = parsePatternJson(text);
  const branches = objectBranches(doc.value, doc.span, "", new Positions(text));
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

/**
 * Refusals found while reading the pattern carry the position AWS's reader (event-ruler over
 * Jackson's streaming parser) had reached, as Jackson's ` at [Source: …]` suffix: what it finds
 * while walking a list inside `anything-but` it reports, catches and reports again, so the suffix
 * comes twice. Checks made after reading (CIDR blocks, wildcards, `$or` combinations) have none.
 */
class Positions {
  constructor(private readonly text: string) {}

  refuse(reason: string, at: number, twice = false): never {
    const suffix = locationSuffix(this.text, at);
    throw new InvalidEventPatternError(`${reason}${suffix}${twice ? suffix : ""}`);
  }
}

const member = (span: ValueSpan, key: string): ValueSpan => span.members!.get(key)!;
const item = (span: ValueSpan, index: number): ValueSpan | undefined => span.items![index];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The conjunctions an object of the pattern stands for: one, times each `$or`'s choices. */
function objectBranches(
  obj: Record<string, unknown>,
  span: ValueSpan,
  prefix: string,
  at: Positions,
): RawField[][] {
  let branches: RawField[][] = [[]];
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    let options: RawField[][];
    if (key === "$or" && Array.isArray(value) && value.length > 0 && value.every(isObject)) {
      const choices = member(span, key);
      options = value.flatMap((choice, i) => objectBranches(choice, item(choices, i)!, prefix, at));
    } else if (Array.isArray(value)) {
      options = [[fieldOf(path, value, member(span, key), at)]];
    } else if (isObject(value)) {
      options = objectBranches(value, member(span, key), path, at);
    } else {
      at.refuse(e.fieldNotObjectOrArray(key), member(span, key).token);
    }
    const next: RawField[][] = [];
    for (const b of branches) for (const o of options) next.push([...b, ...o]);
    if (next.length > orCombinationLimit) refuse(e.tooManyCombinations(orCombinationLimit));
    branches = next;
  }
  return branches;
}

function fieldOf(path: string, values: unknown[], span: ValueSpan, at: Positions): RawField {
  if (values.length === 0) at.refuse(e.emptyArray(), span.end);
  const field: RawField = { path, matchers: [], absentOk: false };
  for (const [i, v] of values.entries()) {
    const m = matcherOf(v, item(span, i)!, at);
    if (m === "absent") field.absentOk = true;
    else field.matchers.push(m);
  }
  return field;
}

function matcherOf(v: unknown, span: ValueSpan, at: Positions): ValueMatcher | "absent" {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
    return { kind: "exact", key: leafKey(v) };
  }
  if (Array.isArray(v)) at.refuse(e.matchValue(), span.token);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) at.refuse(e.emptyObject(), span.end);
  // Jackson has read the second key and the start of its value when the reader sees it.
  if (entries.length > 1) at.refuse(e.oneKeyOnly(), member(span, entries[1]![0]).token);
  const [op, arg] = entries[0]!;
  const argAt = member(span, op).token;
  switch (op) {
    case "prefix":
    case "suffix":
      return affixOf(op, arg, argAt, at);
    case "equals-ignore-case":
      if (typeof arg !== "string") at.refuse(e.mustBeString("equals-ignore-case"), argAt);
      return { kind: "equals-ignore-case", text: fold(arg) };
    case "wildcard":
      if (typeof arg !== "string") at.refuse(e.mustBeString("wildcard"), argAt);
      return { kind: "wildcard", wildcard: wildcardOf(arg) };
    case "numeric":
      return { kind: "numeric", range: numericOf(arg, member(span, op), at) };
    case "cidr":
      // AWS's own wording for a cidr that is not a string.
      if (typeof arg !== "string") at.refuse(e.mustBeString("prefix"), argAt);
      return { kind: "cidr", network: cidrOf(arg) };
    case "exists":
      if (typeof arg !== "boolean") at.refuse(e.existsBoolean(), argAt);
      return arg ? { kind: "exists" } : "absent";
    case "anything-but":
      return { kind: "anything-but", excluded: anythingButOf(arg, member(span, op), at) };
    default:
      at.refuse(e.unrecognisedMatchType(op), argAt);
  }
}

function affixOf(op: "prefix" | "suffix", arg: unknown, argAt: number, at: Positions): ValueMatcher {
  if (typeof arg === "string") return { kind: op, text: arg, ignoreCase: false };
  if (isObject(arg)) {
    const entries = Object.entries(arg);
    const [inner, text] = entries[0] ?? [];
    if (entries.length === 1 && inner === "equals-ignore-case" && typeof text === "string") {
      return { kind: op, text: fold(text), ignoreCase: true };
    }
  }
  at.refuse(e.mustBeString(op), argAt);
}

function anythingButOf(arg: unknown, span: ValueSpan, at: Positions): ExcludedMatcher[] {
  if (typeof arg === "string" || typeof arg === "number") return [{ kind: "exact", key: leafKey(arg) }];
  if (Array.isArray(arg)) {
    if (arg.length === 0) at.refuse(e.emptyArray(), span.end);
    return arg.map((x, i) => {
      if (typeof x !== "string" && typeof x !== "number")
        at.refuse(e.anythingButList(), item(span, i)!.token, true);
      return { kind: "exact", key: leafKey(x) } as const;
    });
  }
  if (!isObject(arg)) at.refuse(e.anythingButValue(), span.token);
  const entries = Object.entries(arg);
  if (entries.length === 0) at.refuse(e.emptyObject(), span.end);
  if (entries.length > 1) at.refuse(e.oneKeyOnly(), member(span, entries[1]![0]).token);
  const [op, inner] = entries[0]!;
  const innerSpan = member(span, op);
  if (isObject(inner)) at.refuse(e.anythingButValue(), innerSpan.token);
  const listed = Array.isArray(inner);
  const list = listed ? inner : [inner];
  if (list.length === 0) at.refuse(e.emptyArray(), innerSpan.end);
  // Where the reader was at the list's i-th value (the value itself when it is not in a list).
  const valueAt = (i: number, whole = false): number => {
    const s = listed ? item(innerSpan, i)! : innerSpan;
    return whole ? s.end : s.token;
  };
  switch (op) {
    case "prefix":
    case "suffix":
      return list.map((x, i) => {
        if (typeof x !== "string") at.refuse(e.mustBeString("prefix/suffix"), valueAt(i), listed);
        if (x === "") at.refuse(e.nullPrefixSuffix(), valueAt(i, true), listed);
        return { kind: op, text: x, ignoreCase: false } as const;
      });
    case "equals-ignore-case":
      return list.map((x, i) => {
        if (typeof x !== "string") at.refuse(e.anythingButIgnoreCase(), valueAt(i), listed);
        return { kind: "equals-ignore-case", text: fold(x) } as const;
      });
    case "wildcard":
      return list.map((x, i) => {
        if (typeof x !== "string") at.refuse(e.mustBeString("wildcard"), valueAt(i), listed);
        return { kind: "wildcard", wildcard: wildcardOf(x) } as const;
      });
    default:
      at.refuse(e.anythingButUnsupported(op), innerSpan.token);
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

function numericOf(arg: unknown, span: ValueSpan, at: Positions): NumericRange {
  if (!Array.isArray(arg)) at.refuse(e.numericArray(), span.token);
  if (arg.length === 0) at.refuse(e.emptyArray(), span.end);
  // Past the i-th member's first token, or past the `]` when there is none.
  const tokenAt = (i: number): number => item(span, i)?.token ?? span.end;
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
      at.refuse(e.numericOperator(String(op)), tokenAt(i + 1));
    }
    if (typeof value !== "number") at.refuse(e.numericValue(op), tokenAt(i + 1));
    if (op === "=") {
      if (arg.length !== 2) at.refuse(e.numericBadOperator(op), tokenAt(i + 2));
      return { low: value, lowOpen: false, high: value, highOpen: false };
    }
    if (lowerOps.has(op)) {
      if (seenLow) at.refuse(e.numericBadOperator(op), item(span, i)!.end);
      seenLow = true;
      low = value;
      lowOpen = op === ">";
    } else {
      if (seenHigh) at.refuse(e.numericBadOperator(op), item(span, i)!.end);
      seenHigh = true;
      high = value;
      highOpen = op === "<";
    }
  }
  if (low > high || (low === high && (lowOpen || highOpen))) at.refuse(e.numericBadRange(), span.end);
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
