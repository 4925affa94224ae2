/**
 * What a template value refers to: every `Ref`, `Fn::GetAtt` and `Fn::Sub` variable, with the path
 * where it appears. Dependencies, validation of targets and the planner all read references through
 * this one walk, so they cannot disagree about what counts as one.
 *
 * Given evaluated conditions, only the taken branch of each `Fn::If` is followed: a reference in a
 * branch that is not taken creates no dependency, as on CloudFormation.
 */
import { asIntrinsicCall } from "./intrinsic-functions.js";
import { childPath, isPlainObject } from "./json-values.js";
import { parseSubString, splitSubVariable } from "./sub-string.js";

export interface TemplateReference {
  readonly kind: "Ref" | "GetAtt";
  /** A parameter, pseudo parameter or resource logical id. */
  readonly target: string;
  /** For GetAtt, when it is written literally. */
  readonly attribute?: string;
  readonly path: string;
}

export function collectReferences(
  value: unknown,
  path: string,
  conditions?: Readonly<Record<string, boolean>>,
): TemplateReference[] {
  const found: TemplateReference[] = [];
  walk(value, path, conditions, found);
  return found;
}

function walk(
  value: unknown,
  path: string,
  conditions: Readonly<Record<string, boolean>> | undefined,
  found: TemplateReference[],
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, childPath(path, i), conditions, found);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  const call = asIntrinsicCall(value);
  if (call === undefined) {
    for (const [key, item] of Object.entries(value)) walk(item, childPath(path, key), conditions, found);
    return;
  }
  const here = childPath(path, call.name);
  const { args } = call;
  switch (call.name) {
    case "Ref":
      if (typeof args === "string") found.push({ kind: "Ref", target: args, path: here });
      return;
    case "Fn::GetAtt":
      if (typeof args === "string") {
        const { target, attribute } = splitSubVariable(args);
        found.push(
          attribute === undefined
            ? { kind: "GetAtt", target, path: here }
            : { kind: "GetAtt", target, attribute, path: here },
        );
      } else if (Array.isArray(args) && typeof args[0] === "string") {
        const attribute = args[1];
        found.push(
          typeof attribute === "string"
            ? { kind: "GetAtt", target: args[0], attribute, path: here }
            : { kind: "GetAtt", target: args[0], path: here },
        );
        walk(attribute, childPath(here, 1), conditions, found);
      }
      return;
    case "Fn::Sub":
      walkSub(args, here, conditions, found);
      return;
    case "Fn::If":
      if (
        Array.isArray(args) &&
        typeof args[0] === "string" &&
        conditions !== undefined &&
        Object.hasOwn(conditions, args[0])
      ) {
        const taken = conditions[args[0]] ? 1 : 2;
        walk(args[taken], childPath(here, taken), conditions, found);
        return;
      }
      walk(args, here, conditions, found);
      return;
    default:
      walk(args, here, conditions, found);
  }
}

function walkSub(
  args: unknown,
  path: string,
  conditions: Readonly<Record<string, boolean>> | undefined,
  found: TemplateReference[],
): void {
  const source = Array.isArray(args) ? args[0] : args;
  const variables = Array.isArray(args) && isPlainObject(args[1]) ? args[1] : {};
  if (Array.isArray(args)) walk(variables, childPath(path, 1), conditions, found);
  if (typeof source !== "string") return;
  const parsed = parseSubString(source);
  if (!parsed.ok) return;
  for (const part of parsed.parts) {
    if (part.kind !== "variable" || Object.hasOwn(variables, part.name)) continue;
    const { target, attribute } = splitSubVariable(part.name);
    found.push(
      attribute === undefined ? { kind: "Ref", target, path } : { kind: "GetAtt", target, attribute, path },
    );
  }
}
