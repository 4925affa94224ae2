/**
 * The Conditions section, evaluated once per deploy from parameter values. A condition may name
 * other conditions (`{"Condition": "Other"}`), so they are evaluated in dependency order and a loop
 * among them is an error naming its members. Conditions cannot see resources: the context given
 * here has no resource callbacks, so a `Ref` to a resource fails.
 */
import { topologicalOrder } from "./dependency-graph.js";
import { asConditionReference, asIntrinsicCall, CONDITION_FUNCTIONS } from "./intrinsic-functions.js";
import { conditionOperand, type ResolveContext } from "./intrinsics.js";
import { childPath, isPlainObject, setOwn } from "./json-values.js";
import { IntrinsicError } from "./template-errors.js";

export type ConditionContext = Pick<ResolveContext, "parameters" | "pseudo" | "mappings">;

/** The condition names a condition body refers to, directly or inside its condition functions. */
export function conditionReferences(body: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    const reference = asConditionReference(value);
    if (reference !== undefined) {
      found.push(reference);
      return;
    }
    const call = asIntrinsicCall(value);
    if (call === undefined || !CONDITION_FUNCTIONS.includes(call.name) || call.name === "Fn::Equals") return;
    if (Array.isArray(call.args)) call.args.forEach(visit);
  };
  visit(body);
  return found;
}

/** Every condition's truth value; throws `IntrinsicError` for the first that cannot be evaluated. */
export function evaluateConditions(section: unknown, ctx: ConditionContext): Record<string, boolean> {
  const conditions: Record<string, boolean> = {};
  if (section === undefined) return conditions;
  if (!isPlainObject(section))
    throw new IntrinsicError("Conditions", "The Conditions section must be a map of conditions");
  const nodes = Object.entries(section).map(([id, body]) => ({ id, dependsOn: conditionReferences(body) }));
  const ordered = topologicalOrder(nodes);
  if (!ordered.ok) {
    const cycle = ordered.cycles[0] ?? [];
    throw new IntrinsicError(
      childPath("Conditions", cycle[0] ?? ""),
      `Circular dependency between conditions: [${cycle.join(", ")}]`,
    );
  }
  // Built field by field so that resource callbacks a caller passes along cannot leak in.
  const evaluationContext: ResolveContext = {
    parameters: ctx.parameters,
    pseudo: ctx.pseudo,
    mappings: ctx.mappings ?? {},
    conditions,
  };
  for (const name of ordered.order) {
    setOwn(
      conditions,
      name,
      conditionOperand(section[name], evaluationContext, childPath("Conditions", name)),
    );
  }
  return conditions;
}
