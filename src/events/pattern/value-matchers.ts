/**
 * What one pattern value tests an event's leaf value for, and the one plain test of each
 * (`leafMatches`), which the many-rule index falls back on for what it cannot look up.
 */

/** A leaf of an event: objects and arrays are flattened away before matching. */
export type Leaf = string | number | boolean | null;

/** The key an exact match looks values up by: type and value, numbers by their numeric value. */
export function leafKey(leaf: Leaf): string {
  if (leaf === null) return "null";
  if (typeof leaf === "string") return `s:${leaf}`;
  if (typeof leaf === "number") return `n:${Object.is(leaf, -0) ? 0 : leaf}`;
  return `b:${leaf}`;
}

export type ValueMatcher =
  | { readonly kind: "exact"; readonly key: string }
  | { readonly kind: "equals-ignore-case"; readonly text: string }
  | { readonly kind: "prefix"; readonly text: string; readonly ignoreCase: boolean }
  | { readonly kind: "suffix"; readonly text: string; readonly ignoreCase: boolean }
  | { readonly kind: "wildcard"; readonly wildcard: Wildcard }
  | { readonly kind: "numeric"; readonly range: NumericRange }
  | { readonly kind: "cidr"; readonly network: string }
  | { readonly kind: "exists" }
  | { readonly kind: "anything-but"; readonly excluded: readonly ExcludedMatcher[] };

/** What anything-but may exclude. */
export type ExcludedMatcher = Extract<
  ValueMatcher,
  { kind: "exact" | "equals-ignore-case" | "prefix" | "suffix" | "wildcard" }
>;

export interface NumericRange {
  readonly low: number;
  readonly lowOpen: boolean;
  readonly high: number;
  readonly highOpen: boolean;
}

/** A wildcard split at its unescaped `*`s: literal pieces, the first anchored left, the last right. */
export interface Wildcard {
  readonly pieces: readonly string[];
}

/** Case folding for the ignore-case operators. */
export const fold = (text: string): string => text.toLowerCase();

export function wildcardMatches(w: Wildcard, value: string): boolean {
  const { pieces } = w;
  const first = pieces[0]!;
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1]!;
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let p = 1; p < pieces.length - 1; p++) {
    const found = value.indexOf(pieces[p]!, at);
    if (found < 0 || found + pieces[p]!.length > end) return false;
    at = found + pieces[p]!.length;
  }
  return true;
}

export function inRange(r: NumericRange, n: number): boolean {
  return (r.lowOpen ? n > r.low : n >= r.low) && (r.highOpen ? n < r.high : n <= r.high);
}

/** An address as its bits ("4:0101…" or "6:…"), or undefined if it is not one. */
export function ipBits(text: string): string | undefined {
  const v4 = ipv4Bits(text);
  if (v4 !== undefined) return `4:${v4}`;
  const v6 = ipv6Bits(text);
  return v6 === undefined ? undefined : `6:${v6}`;
}

function ipv4Bits(text: string): string | undefined {
  const address = ipv4Number(text);
  return address === undefined ? undefined : address.toString(2).padStart(32, "0");
}

/** A dotted IPv4 address as its 32-bit number, or undefined if the text is not one. */
export function ipv4Number(text: string): number | undefined {
  let address = 0;
  let octet = -1;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      octet = (octet < 0 ? 0 : octet * 10) + (c - 48);
    } else if (c === 46) {
      if (octet < 0 || octet > 255) return undefined;
      address = address * 256 + octet;
      octet = -1;
      digits = 0;
      if (i < text.length && ++dots > 3) return undefined;
    } else return undefined;
  }
  return dots === 3 ? address : undefined;
}

function ipv6Bits(text: string): string | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => {
    if (s === "") return [];
    const out: string[] = [];
    const parts = s.split(":");
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = ipv4Bits(part);
        if (v4 === undefined) return undefined;
        out.push(v4.slice(0, 16), v4.slice(16));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      out.push(Number.parseInt(part, 16).toString(2).padStart(16, "0"));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...Array<string>(missing).fill("0".repeat(16)), ...tail].join("");
}

/** The plain, one-matcher test: what the index answers in bulk, answered for one value. */
export function leafMatches(m: ValueMatcher, leaf: Leaf): boolean {
  switch (m.kind) {
    case "exact":
      return leafKey(leaf) === m.key;
    case "equals-ignore-case":
      return typeof leaf === "string" && fold(leaf) === m.text;
    case "prefix":
      return typeof leaf === "string" && (m.ignoreCase ? fold(leaf) : leaf).startsWith(m.text);
    case "suffix":
      return typeof leaf === "string" && (m.ignoreCase ? fold(leaf) : leaf).endsWith(m.text);
    case "wildcard":
      return typeof leaf === "string" && wildcardMatches(m.wildcard, leaf);
    case "numeric":
      return typeof leaf === "number" && inRange(m.range, leaf);
    case "cidr": {
      if (typeof leaf !== "string") return false;
      const bits = ipBits(leaf);
      return bits?.startsWith(m.network) === true;
    }
    case "exists":
      return true;
    case "anything-but":
      return !m.excluded.some((x) => leafMatches(x, leaf));
    default: {
      const never: never = m;
      return never;
    }
  }
}
