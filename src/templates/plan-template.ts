/**
 * `planTemplate`: from a template and a deploy's parameter values to the ordered list of resources
 * the engine creates. Parameters are resolved and conditions evaluated once here; resources and
 * outputs whose Condition is false are left out; properties stay unresolved (the engine resolves
 * each with `resolveValue` once its dependencies exist, via `createResolveContext`).
 *
 * A resource that is planned may not depend on one that is left out (CloudFormation's "Unresolved
 * resource dependencies"), except through an `Fn::If` branch that is not taken.
 */
import { evaluateConditions } from "./conditions.js";
import { deletionOrder, topologicalOrder } from "./dependency-graph.js";
import { type ResolveContext, resolveValue } from "./intrinsics.js";
import { childPath, isPlainObject, type JsonObject, ownValue } from "./json-values.js";
import type { ParameterInputs, ParameterValue } from "./parameters.js";
import type { PseudoParameters } from "./pseudo-parameters.js";
import { collectReferences } from "./references.js";
import type { ImplicitResource, ResourceRegistry } from "./resource-registry.js";
import {
  IntrinsicError,
  intrinsicErrorToTemplateError,
  type TemplateError,
  templateError,
} from "./template-errors.js";
import { resourcesBehind } from "./template-names.js";
import { type DeletionPolicy, explicitDependsOn, type UpdateReplacePolicy } from "./validate-resources.js";
import { analyzeTemplate, resourceDependencies } from "./validate-template.js";

export interface PlanOptions {
  readonly registry: ResourceRegistry;
  readonly parameterValues?: ParameterInputs;
  readonly pseudo: PseudoParameters;
}

export interface PlannedResource {
  readonly logicalId: string;
  readonly type: string;
  /** After Globals, before intrinsic functions are resolved. */
  readonly properties: JsonObject;
  /** Explicit DependsOn and implicit references, as declared logical ids, deduplicated. */
  readonly dependsOn: readonly string[];
  readonly condition?: string;
  readonly deletionPolicy: DeletionPolicy;
  readonly updateReplacePolicy: UpdateReplacePolicy;
  readonly metadata?: JsonObject;
  /** SAM-generated ids this resource answers to (see `ResourceHandler.implicitResources`). */
  readonly implicitResources: readonly ImplicitResource[];
}

export interface PlannedOutput {
  readonly logicalId: string;
  readonly description?: string;
  /** Unresolved, like resource properties. */
  readonly value: unknown;
  readonly exportName?: unknown;
  readonly dependsOn: readonly string[];
}

export interface TemplatePlan {
  readonly description?: string;
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** Parameters whose values must be masked (`NoEcho`) when a stack is described. */
  readonly noEchoParameters: readonly string[];
  readonly conditions: Readonly<Record<string, boolean>>;
  readonly mappings: JsonObject;
  readonly pseudo: PseudoParameters;
  /** In creation order: each resource after everything it depends on; ties in template order. */
  readonly resources: readonly PlannedResource[];
  /** Logical ids in the order to delete them: dependents first. */
  readonly deletionOrder: readonly string[];
  readonly outputs: readonly PlannedOutput[];
}

export type PlanResult = { ok: true; plan: TemplatePlan } | { ok: false; errors: TemplateError[] };

export function planTemplate(template: unknown, options: PlanOptions): PlanResult {
  const analysis = analyzeTemplate(template, {
    registry: options.registry,
    parameterValues: options.parameterValues ?? {},
  });
  if (analysis.errors.length > 0) return { ok: false, errors: analysis.errors };
  const { names, parameterValues: parameters } = analysis;
  const mappingsSection = ownValue(analysis.template, "Mappings");
  const mappings = isPlainObject(mappingsSection) ? mappingsSection : {};

  let conditions: Record<string, boolean>;
  try {
    conditions = evaluateConditions(ownValue(analysis.template, "Conditions"), {
      parameters,
      pseudo: options.pseudo,
      mappings,
    });
  } catch (error) {
    if (error instanceof IntrinsicError) return { ok: false, errors: [intrinsicErrorToTemplateError(error)] };
    throw error;
  }
  const included = (condition: unknown): boolean =>
    typeof condition !== "string" || conditions[condition] === true;

  const errors: TemplateError[] = [];
  const planned = analysis.resources.filter((entry) => included(ownValue(entry.resource, "Condition")));
  const plannedIds = new Set(planned.map((e) => e.logicalId));
  const excluded = (target: string): boolean => {
    const behind = resourcesBehind(names, target);
    return behind.length > 0 && behind.every((id) => !plannedIds.has(id));
  };
  const unresolved = (block: string, path: string, target: string): TemplateError =>
    templateError(path, `Unresolved resource dependencies [${target}] in the ${block} block of the template`);

  const resources: PlannedResource[] = planned.map((entry) => {
    const path = childPath("Resources", entry.logicalId);
    const references = ["Properties", "Metadata"].flatMap((key) =>
      collectReferences(ownValue(entry.resource, key), childPath(path, key), conditions),
    );
    for (const reference of references)
      if (excluded(reference.target)) errors.push(unresolved("Resources", reference.path, reference.target));
    for (const target of explicitDependsOn(entry.resource)) {
      if (excluded(target)) errors.push(unresolved("Resources", childPath(path, "DependsOn"), target));
    }
    const dependsOn = resourceDependencies(entry, names, conditions).filter((id) => plannedIds.has(id));
    const implicit = entry.handler?.implicitResources?.(entry.logicalId, entry.properties) ?? [];
    return toPlannedResource(entry.logicalId, entry.type, entry.resource, dependsOn, implicit);
  });

  const outputs: PlannedOutput[] = [];
  const outputsSection = ownValue(analysis.template, "Outputs");
  for (const [logicalId, output] of Object.entries(isPlainObject(outputsSection) ? outputsSection : {})) {
    if (!isPlainObject(output) || !included(ownValue(output, "Condition"))) continue;
    const path = childPath("Outputs", logicalId);
    const exported = ownValue(output, "Export");
    const exportName = isPlainObject(exported) ? ownValue(exported, "Name") : undefined;
    const references = [
      ...collectReferences(ownValue(output, "Value"), childPath(path, "Value"), conditions),
      ...collectReferences(exportName, childPath(path, "Export.Name"), conditions),
    ];
    for (const reference of references)
      if (excluded(reference.target)) errors.push(unresolved("Outputs", reference.path, reference.target));
    const dependsOn = [...new Set(references.flatMap((r) => resourcesBehind(names, r.target)))].filter((id) =>
      plannedIds.has(id),
    );
    const description = ownValue(output, "Description");
    outputs.push({
      logicalId,
      ...(typeof description === "string" ? { description } : {}),
      value: ownValue(output, "Value"),
      ...(exportName === undefined ? {} : { exportName }),
      dependsOn,
    });
  }
  if (errors.length > 0) return { ok: false, errors };

  const nodes = resources.map((r) => ({ id: r.logicalId, dependsOn: r.dependsOn }));
  const order = topologicalOrder(nodes);
  const reverse = deletionOrder(nodes);
  if (!order.ok || !reverse.ok) {
    // Validation already rejects cycles; this guards the invariant rather than a reachable case.
    const cycles = order.ok ? [] : order.cycles;
    return {
      ok: false,
      errors: cycles.map((c) =>
        templateError(`Resources.${c[0]}`, `Circular dependency between resources: [${c.join(", ")}]`),
      ),
    };
  }
  const byId = new Map(resources.map((r) => [r.logicalId, r]));
  const description = ownValue(analysis.template, "Description");
  return {
    ok: true,
    plan: {
      ...(typeof description === "string" ? { description } : {}),
      parameters,
      noEchoParameters: analysis.parameters.filter((p) => p.noEcho).map((p) => p.name),
      conditions,
      mappings,
      pseudo: options.pseudo,
      resources: order.order.map((id) => byId.get(id)!),
      deletionOrder: reverse.order,
      outputs,
    },
  };
}

function toPlannedResource(
  logicalId: string,
  type: string,
  resource: JsonObject,
  dependsOn: string[],
  implicit: readonly ImplicitResource[],
): PlannedResource {
  const properties = ownValue(resource, "Properties");
  const condition = ownValue(resource, "Condition");
  const metadata = ownValue(resource, "Metadata");
  return {
    logicalId,
    type,
    properties: isPlainObject(properties) ? properties : {},
    dependsOn,
    ...(typeof condition === "string" ? { condition } : {}),
    deletionPolicy: (ownValue(resource, "DeletionPolicy") as DeletionPolicy | undefined) ?? "Delete",
    updateReplacePolicy:
      (ownValue(resource, "UpdateReplacePolicy") as UpdateReplacePolicy | undefined) ?? "Delete",
    ...(isPlainObject(metadata) ? { metadata } : {}),
    implicitResources: [...implicit],
  };
}

export interface EngineResolvers {
  readonly resolveResourceRef: (logicalId: string) => unknown;
  readonly resolveGetAtt: (logicalId: string, attribute: string) => unknown;
  readonly importValue?: (exportName: string) => unknown;
}

/** The context to resolve a plan's properties and outputs with, given the engine's view of resources. */
export function createResolveContext(plan: TemplatePlan, resolvers: EngineResolvers): ResolveContext {
  return {
    parameters: plan.parameters,
    pseudo: plan.pseudo,
    conditions: plan.conditions,
    mappings: plan.mappings,
    ...resolvers,
  };
}

/** An output as `DescribeStacks` reports it: lists are joined with commas, as CloudFormation does. */
export interface ResolvedOutput {
  readonly OutputKey: string;
  readonly OutputValue: string;
  readonly Description?: string;
  readonly ExportName?: string;
}

export function resolveOutputs(plan: TemplatePlan, ctx: ResolveContext): ResolvedOutput[] {
  return plan.outputs.map((output) => {
    const path = childPath("Outputs", output.logicalId);
    const value = outputText(
      resolveValue(output.value, ctx, childPath(path, "Value")),
      childPath(path, "Value"),
    );
    const exportName =
      output.exportName === undefined
        ? undefined
        : outputText(resolveValue(output.exportName, ctx, `${path}.Export.Name`), `${path}.Export.Name`);
    return {
      OutputKey: output.logicalId,
      OutputValue: value,
      ...(output.description === undefined ? {} : { Description: output.description }),
      ...(exportName === undefined ? {} : { ExportName: exportName }),
    };
  });
}

function outputText(value: unknown, path: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number"))
    return value.join(",");
  throw new IntrinsicError(
    path,
    `Output value must resolve to a string or a list of strings, not ${JSON.stringify(value)}`,
  );
}
