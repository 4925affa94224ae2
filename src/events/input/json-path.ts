/**
 * The JSON paths EventBridge takes in `InputPath` and in `InputPathsMap`'s values. The user guide
 * lists what it supports: dot notation (`$.detail`) with dashes, underscores, slashes and
 * alphanumerics in names, array indices, and the wildcard `*`. PutTargets refuses a path that does
 * not start at `$`, and bracket notation with a quoted name (`$.detail['id']`) although JSONPath has
 * it; `$` alone and `$.list[0]` are taken.
 */

export type PathStep =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "wildcard" };

export interface JsonPath {
  readonly steps: readonly PathStep[];
  /** A path with a wildcard selects a list of values (Jayway's "indefinite" path), else one. */
  readonly definite: boolean;
}

/** What a path selects in an event: nothing, or a value (a list for a path with a wildcard). */
export type Selection = { readonly found: false } | { readonly found: true; readonly value: unknown };

const nothing: Selection = { found: false };

/** `.name`, `.*`, `[3]` or `[*]`; a name stops at the characters that start the next step. */
const stepPattern = /\.([^.[\]\s"'*]+)|\.\*|\[(\d+)\]|\[\*\]/y;

/** The path, or undefined when EventBridge refuses it. */
export function parseJsonPath(text: string): JsonPath | undefined {
  if (!text.startsWith("$")) return undefined;
  const steps: PathStep[] = [];
  stepPattern.lastIndex = 1;
  while (stepPattern.lastIndex < text.length) {
    const match = stepPattern.exec(text);
    if (match === null) return undefined;
    const [, name, index] = match;
    if (name !== undefined) steps.push({ kind: "field", name });
    else if (index !== undefined) steps.push({ kind: "index", index: Number(index) });
    else steps.push({ kind: "wildcard" });
  }
  return { steps, definite: steps.every((step) => step.kind !== "wildcard") };
}

/**
 * What `path` selects in `root`. A definite path selects one value or nothing; a path with a
 * wildcard selects the list of every value it reaches, empty when it reaches none.
 */
export function selectJsonPath(root: unknown, path: JsonPath): Selection {
  let current: unknown[] = [root];
  for (const step of path.steps) current = current.flatMap((value) => stepInto(value, step));
  if (!path.definite) return { found: true, value: current };
  return current.length === 0 ? nothing : { found: true, value: current[0] };
}

function stepInto(value: unknown, step: PathStep): unknown[] {
  if (value === null || typeof value !== "object") return [];
  switch (step.kind) {
    case "field":
      return !Array.isArray(value) && Object.hasOwn(value, step.name)
        ? [(value as Record<string, unknown>)[step.name]]
        : [];
    case "index":
      return Array.isArray(value) && step.index < value.length ? [value[step.index]] : [];
    case "wildcard":
      return Object.values(value);
    default: {
      const unknownStep: never = step;
      throw new Error(`unknown path step ${JSON.stringify(unknownStep)}`);
    }
  }
}
