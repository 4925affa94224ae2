/**
 * Compares what Jeff answered with what AWS answered in a recorded snapshot test. The recordings
 * replaced values that differ from run to run with placeholders (recorded/README.md): a whole
 * value or a part of a string written `<name>` or `<name:n>`. Here a placeholder stands for any
 * non-empty text, and a numbered one for the same text wherever it appears in one test, and for
 * text no other numbered placeholder of that test stands for: `<uuid:1>` then `<uuid:2>` means the
 * value changed. Everything else must be equal: every key present on both sides, every array
 * element in order, every number, string and boolean.
 *
 * Placeholders that replaced a whole value by a fixed word (`date` for a timestamp in ISO 8601,
 * `datetime` for a parsed time) cannot be recognised in the recording; `normalise` applies those
 * replacements to the answer first, as the recording's own tooling did before writing it.
 */

/** What the numbered placeholders of one test stand for, kept across the test's calls. */
export class Bindings {
  private readonly byToken = new Map<string, string>();
  private readonly byValue = new Map<string, string>();

  get(token: string): string | undefined {
    return this.byToken.get(token);
  }

  /** Whether `token` may stand for `value`; binds it if so. */
  bind(token: string, value: string): boolean {
    const bound = this.byToken.get(token);
    if (bound !== undefined) return bound === value;
    const owner = this.byValue.get(value);
    if (owner !== undefined && owner !== token) return false;
    this.byToken.set(token, value);
    this.byValue.set(value, token);
    return true;
  }
}

// LocalStack writes a jsonpath replacement that is itself in brackets as `<<next-token>:1>`.
const placeholder = /<<[^<>\s]+>(?::\d+)?>|<[^<>\s]+>/g;
const numbered = /:\d+>$/;

/** ISO 8601 date-times, which the recordings wrote as `date`. */
const iso8601 = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g;

export interface Replacement {
  /** A key whose value becomes `replacement` wherever it appears. */
  readonly key?: string;
  /** A pattern whose matches, in any string, become `replacement`. */
  readonly pattern?: RegExp;
  readonly replacement: string;
}

/**
 * The answer as the recording's tooling would have written it: times as `date` / `datetime`,
 * `accountIds` as the recordings' accounts, and the test's own replacements applied.
 */
export function normalise(
  value: unknown,
  accountIds: ReadonlyMap<string, string>,
  replacements: readonly Replacement[] = [],
  key?: string,
): unknown {
  const byKey = key === undefined ? undefined : replacements.find((r) => r.key === key);
  if (byKey && value !== undefined && value !== null && typeof value !== "object") return byKey.replacement;
  if (value instanceof Date) return "datetime";
  if (typeof value === "string") {
    // The recordings' tooling read a string holding a JSON object as that object (a policy, a
    // statement), and so compared it key by key: a string that is the value of a key, not an
    // element of a list (`["{}\n"]` stayed text).
    if (key !== undefined && value.startsWith("{")) {
      try {
        return normalise(JSON.parse(value) as unknown, accountIds, replacements, key);
      } catch {
        // not JSON: compared as text
      }
    }
    let out = value;
    for (const r of replacements) if (r.pattern) out = out.replace(r.pattern, r.replacement);
    out = out.replace(iso8601, "date");
    for (const [actual, recorded] of accountIds) out = out.split(actual).join(recorded);
    if (isTimestampKey(key) && out === value && /^\d+$/.test(out)) return "timestamp";
    return out;
  }
  if (typeof value === "number" && isTimestampKey(key)) {
    return "timestamp";
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, accountIds, replacements));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (byKey && v !== null && typeof v !== "object") out[k] = byKey.replacement;
      else out[k] = normalise(v, accountIds, replacements, k);
    }
    return out;
  }
  return value;
}

/** LocalStack's basic transformer: a value under these keys (not an ISO date) is `timestamp`. */
function isTimestampKey(key: string | undefined): key is string {
  return key !== undefined && (/timestamp/i.test(key) || key === "creationTime" || key === "ingestionTime");
}

/** The differences between `recorded` and `actual`, each naming its path; none when they match. */
export function differences(recorded: unknown, actual: unknown, bindings: Bindings, path = "$"): string[] {
  if (typeof recorded === "string" && recorded.match(placeholder)) {
    if (typeof actual !== "string" && typeof actual !== "number" && typeof actual !== "boolean") {
      return [`${path}: AWS answered ${show(recorded)}, Jeff ${show(actual)}`];
    }
    return matchesTemplate(recorded, String(actual), bindings)
      ? []
      : [`${path}: AWS answered ${show(recorded)}, Jeff ${show(actual)}`];
  }
  if (Array.isArray(recorded)) {
    if (!Array.isArray(actual)) return [`${path}: AWS answered a list, Jeff ${show(actual)}`];
    const out: string[] = [];
    if (recorded.length !== actual.length) {
      out.push(`${path}: AWS answered ${recorded.length} items, Jeff ${actual.length}: ${show(actual)}`);
    }
    for (let i = 0; i < Math.min(recorded.length, actual.length); i++) {
      out.push(...differences(recorded[i], actual[i], bindings, `${path}[${i}]`));
    }
    return out;
  }
  if (recorded !== null && typeof recorded === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
      return [`${path}: AWS answered an object, Jeff ${show(actual)}`];
    }
    const theirs = recorded as Record<string, unknown>;
    const ours = actual as Record<string, unknown>;
    const out: string[] = [];
    for (const key of Object.keys(theirs)) {
      if (!(key in ours)) out.push(`${path}.${key}: missing (AWS answered ${show(theirs[key])})`);
      else out.push(...differences(theirs[key], ours[key], bindings, `${path}.${key}`));
    }
    for (const key of Object.keys(ours)) {
      if (!(key in theirs)) out.push(`${path}.${key}: AWS answers no such key (Jeff ${show(ours[key])})`);
    }
    return out;
  }
  return Object.is(recorded, actual) ? [] : [`${path}: AWS answered ${show(recorded)}, Jeff ${show(actual)}`];
}

/**
 * Whether `actual` reads as `template` with each placeholder standing for some text, numbered ones
 * consistently with `bindings` (which it extends on success).
 */
function matchesTemplate(template: string, actual: string, bindings: Bindings): boolean {
  const tokens = template.match(placeholder) ?? [];
  const literals = template.split(placeholder);
  const groups: string[] = [];
  let source = "^";
  for (let i = 0; i < literals.length; i++) {
    source += escapeRegExp(literals[i]!);
    const token = tokens[i];
    if (token === undefined) continue;
    const bound = numbered.test(token) ? bindings.get(token) : undefined;
    if (bound !== undefined) {
      source += escapeRegExp(bound);
    } else if (numbered.test(token) && groups.includes(token)) {
      source += `\\${groups.indexOf(token) + 1}`;
    } else {
      groups.push(token);
      source += "([\\s\\S]+?)";
    }
  }
  const match = new RegExp(`${source}$`).exec(actual);
  if (!match) return false;
  const tentative = new Map<string, string>();
  for (let g = 0; g < groups.length; g++) {
    if (numbered.test(groups[g]!)) tentative.set(groups[g]!, match[g + 1]!);
  }
  for (const [token, value] of tentative) if (!bindings.bind(token, value)) return false;
  return true;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  // JEFF_REPLAY_FULL=1 prints whole values, to read a long message's difference.
  if (process.env.JEFF_REPLAY_FULL) return text;
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}
