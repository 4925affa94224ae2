/**
 * CloudWatch Logs' filter patterns for unstructured events, the terms people type: `ERROR` (events
 * containing it), `ERROR Exception` (both), `?ERROR ?Exception` (either), `-DEBUG` (not containing
 * it), and `"an exact phrase"` in place of any term. Terms match case-sensitively. JSON (`{ … }`),
 * space-delimited (`[ … ]`) and regular-expression (`%…%`) patterns are refused by name.
 */
export interface FilterTerms {
  /** Every one of these is in the message. */
  readonly all: readonly string[];
  /** At least one of these is, when there are any. */
  readonly any: readonly string[];
  /** None of these is. */
  readonly none: readonly string[];
}

export class FilterPatternError extends Error {}

/** The terms of `pattern`; undefined when it matches every event (empty or blank). */
export function parseFilterPattern(pattern: string): FilterTerms | undefined {
  const text = pattern.trim();
  if (text === "") return undefined;
  const kind = text.startsWith("{")
    ? "JSON"
    : text.startsWith("[")
      ? "space-delimited"
      : text.startsWith("%")
        ? "regular-expression"
        : undefined;
  if (kind !== undefined)
    throw new FilterPatternError(
      `${kind} filter patterns are not supported yet: match terms or quoted phrases`,
    );
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  const token = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (const match of text.matchAll(token)) {
    const [, sign, quoted, bare] = match;
    const term = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : bare!;
    if (term === "") continue;
    (sign === "?" ? any : sign === "-" ? none : all).push(term);
  }
  if (all.length + any.length + none.length === 0) return undefined;
  return { all, any, none };
}

/** Whether `message` has the terms (the same rule the store's SQL applies). */
export function matchesTerms(message: string, terms: FilterTerms): boolean {
  return (
    terms.all.every((term) => message.includes(term)) &&
    (terms.any.length === 0 || terms.any.some((term) => message.includes(term))) &&
    !terms.none.some((term) => message.includes(term))
  );
}
