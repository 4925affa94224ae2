/**
 * `validateTemplate`: every problem in a template, as data, before anything is deployed. The
 * planner runs the same analysis and goes on only when it finds nothing.
 *
 * Order matters in one place: SAM Globals are merged first, so resource checks (and a type's
 * `validateProperties`) see the properties the resource will really have.
 */
import { conditionReferences } from "./conditions.js";
import { findCycles } from "./dependency-graph.js";
import { childPath, isPlainObject, type JsonObject, ownValue } from "./json-values.js";
import {
  type ParameterDefinition,
  type ParameterInputs,
  type ParameterValue,
  readParameterDefinitions,
  resolveParameterValues,
} from "./parameters.js";
import { collectReferences } from "./references.js";
import type { ResourceRegistry } from "./resource-registry.js";
import { expandSamEvents } from "./sam-events.js";
import { applySamGlobals } from "./sam-globals.js";
import { type TemplateError, templateError } from "./template-errors.js";
import { checkReferences, resourcesBehind, type TemplateNames } from "./template-names.js";
import { checkConditionOperand, type IntrinsicScope, validateIntrinsics } from "./validate-intrinsics.js";
import {
  checkDependsOn,
  explicitDependsOn,
  implicitResourcesOf,
  type ResourceEntry,
  readResources,
} from "./validate-resources.js";
import {
  checkMappings,
  checkNoNulls,
  checkOutputs,
  checkTopLevel,
  LOGICAL_ID_PATTERN,
} from "./validate-sections.js";

export interface ValidateOptions {
  readonly registry: ResourceRegistry;
  /** When given, values are checked too: missing values, constraints, names not declared. */
  readonly parameterValues?: ParameterInputs;
}

/** What the analysis learned; the planner builds on it. */
export interface TemplateAnalysis {
  readonly errors: TemplateError[];
  /** The template after Globals were merged (and the Globals section removed). */
  readonly template: JsonObject;
  readonly parameters: readonly ParameterDefinition[];
  readonly parameterValues: Readonly<Record<string, ParameterValue>>;
  readonly resources: readonly ResourceEntry[];
  readonly names: TemplateNames;
}

export function validateTemplate(template: unknown, options: ValidateOptions): TemplateError[] {
  return analyzeTemplate(template, options).errors;
}

export function analyzeTemplate(template: unknown, options: ValidateOptions): TemplateAnalysis {
  const errors: TemplateError[] = [];
  if (!isPlainObject(template)) {
    errors.push(
      templateError("", "unsupported structure: a template must be a JSON object or a YAML mapping"),
    );
    const names = {
      parameters: new Set<string>(),
      conditions: new Set<string>(),
      resources: new Map(),
      implicit: new Map(),
      registry: options.registry,
    };
    return { errors, template: {}, parameters: [], parameterValues: {}, resources: [], names };
  }
  const top = checkTopLevel(template);
  errors.push(...top.errors);
  checkNoNulls(template, "", errors);

  const { definitions, errors: parameterErrors } = readParameterDefinitions(
    ownValue(template, "Parameters") ?? undefined,
  );
  errors.push(...parameterErrors);
  const mappingsSection = ownValue(template, "Mappings");
  errors.push(...checkMappings(mappingsSection));
  const mappings = isPlainObject(mappingsSection) ? mappingsSection : {};

  const globalsApplied = applySamGlobals(template);
  errors.push(...globalsApplied.errors);
  // SAM's event sources become the resources they stand for (a rule, a permission), as the
  // transform expands them, so everything after sees them as the template's own.
  const merged = { template: expandSamEvents(globalsApplied.template) };

  const conditionsSection = ownValue(merged.template, "Conditions");
  const conditionNames = new Set(isPlainObject(conditionsSection) ? Object.keys(conditionsSection) : []);
  // Every declared name counts, even one whose definition is broken (that is reported once, above).
  const parametersSection = ownValue(template, "Parameters");
  const parameterNames = new Set(isPlainObject(parametersSection) ? Object.keys(parametersSection) : []);
  const { entries, errors: resourceErrors } = readResources(ownValue(merged.template, "Resources"), {
    registry: options.registry,
    samTransform: top.samTransform,
    conditionNames,
    parameterNames,
  });
  errors.push(...resourceErrors);

  const names: TemplateNames = {
    parameters: parameterNames,
    conditions: conditionNames,
    resources: new Map(entries.map((e) => [e.logicalId, e.type])),
    implicit: implicitResourcesOf(entries),
    registry: options.registry,
  };
  errors.push(...checkConditionsSection(conditionsSection, names, mappings));
  const scope: IntrinsicScope = { conditionNames, mappings, inConditions: false };
  for (const entry of entries) {
    const path = childPath("Resources", entry.logicalId);
    errors.push(...checkDependsOn(entry, names));
    for (const key of ["Properties", "Metadata"]) {
      const value = ownValue(entry.resource, key);
      if (value === undefined) continue;
      const at = childPath(path, key);
      errors.push(
        ...validateIntrinsics(value, at, scope),
        ...checkReferences(collectReferences(value, at), names, "Resources"),
      );
    }
  }
  errors.push(...checkOutputsSection(ownValue(merged.template, "Outputs"), names, scope));
  errors.push(...resourceCycles(entries, names));

  let parameterValues: Record<string, ParameterValue> = {};
  if (options.parameterValues !== undefined) {
    const resolved = resolveParameterValues(definitions, options.parameterValues);
    errors.push(...resolved.errors);
    parameterValues = resolved.values;
  }
  return {
    errors,
    template: merged.template,
    parameters: definitions,
    parameterValues,
    resources: entries,
    names,
  };
}

function checkConditionsSection(
  section: unknown,
  names: TemplateNames,
  mappings: JsonObject,
): TemplateError[] {
  if (section === undefined || section === null) return [];
  if (!isPlainObject(section))
    return [templateError("Conditions", "The Conditions section must be a map of conditions")];
  const errors: TemplateError[] = [];
  const scope: IntrinsicScope = { conditionNames: names.conditions, mappings, inConditions: true };
  for (const [name, body] of Object.entries(section)) {
    const path = childPath("Conditions", name);
    if (!LOGICAL_ID_PATTERN.test(name))
      errors.push(templateError(path, `Condition name ${name} is non alphanumeric.`));
    checkConditionOperand(body, path, scope, errors);
    errors.push(...checkReferences(collectReferences(body, path), names, "Conditions"));
  }
  const nodes = Object.entries(section).map(([id, body]) => ({ id, dependsOn: conditionReferences(body) }));
  for (const cycle of findCycles(nodes)) {
    errors.push(
      templateError(
        childPath("Conditions", cycle[0]!),
        `Circular dependency between conditions: [${cycle.join(", ")}]`,
      ),
    );
  }
  return errors;
}

function checkOutputsSection(section: unknown, names: TemplateNames, scope: IntrinsicScope): TemplateError[] {
  const errors = checkOutputs(section, names.conditions);
  if (!isPlainObject(section)) return errors;
  for (const [name, output] of Object.entries(section)) {
    if (!isPlainObject(output)) continue;
    const path = childPath("Outputs", name);
    const exported = ownValue(output, "Export");
    const values: Array<[string, unknown]> = [
      [childPath(path, "Value"), ownValue(output, "Value")],
      [
        childPath(childPath(path, "Export"), "Name"),
        isPlainObject(exported) ? ownValue(exported, "Name") : undefined,
      ],
    ];
    for (const [at, value] of values) {
      if (value === undefined) continue;
      errors.push(
        ...validateIntrinsics(value, at, scope),
        ...checkReferences(collectReferences(value, at), names, "Outputs"),
      );
    }
  }
  return errors;
}

/** The declared resources a resource depends on: DependsOn plus every reference in Properties and Metadata. */
export function resourceDependencies(
  entry: ResourceEntry,
  names: TemplateNames,
  conditions?: Readonly<Record<string, boolean>>,
): string[] {
  const path = childPath("Resources", entry.logicalId);
  const targets = [
    ...explicitDependsOn(entry.resource),
    ...["Properties", "Metadata"].flatMap((key) =>
      collectReferences(ownValue(entry.resource, key), childPath(path, key), conditions).map((r) => r.target),
    ),
  ];
  return [...new Set(targets.flatMap((target) => resourcesBehind(names, target)))];
}

function resourceCycles(entries: readonly ResourceEntry[], names: TemplateNames): TemplateError[] {
  const nodes = entries.map((entry) => ({
    id: entry.logicalId,
    dependsOn: resourceDependencies(entry, names),
  }));
  return findCycles(nodes).map((cycle) =>
    templateError(
      childPath("Resources", cycle[0]!),
      `Circular dependency between resources: [${cycle.join(", ")}]`,
    ),
  );
}
