/**
 * The stack engine's view of a template: load, validate and plan it in one step, turning every
 * template problem into the `ValidationError` CloudFormation answers with.
 */
import { AwsError } from "../protocol/index.js";
import {
  createResolveContext,
  IntrinsicError,
  loadTemplate,
  type ParameterValue,
  type PlannedResource,
  type PseudoParameters,
  planTemplate,
  type ResourceRegistry,
  readParameterDefinitions,
  resolveOutputs,
  resolveValue,
  type TemplateError,
  validateTemplate,
} from "../templates/index.js";
import type { StackOutput } from "./stack-records.js";

export type StackParameterInput = { key: string; value: string } | { key: string; usePreviousValue: true };

/** What CreateStack and UpdateStack ask for. */
export interface DeployInput {
  readonly stackName: string;
  readonly templateBody: string;
  readonly parameters: readonly StackParameterInput[];
}

/** How the engine reads resources it has created while resolving what depends on them. */
export interface ResourceLookup {
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): unknown;
}

export interface PlannedStack {
  readonly description?: string;
  /** Effective parameter values, lists joined with commas, as DescribeStacks shows them. */
  readonly parameters: Record<string, string>;
  /** Parameters declared `NoEcho`. */
  readonly noEcho: readonly string[];
  readonly resources: readonly PlannedResource[];
  resolveProperties(logicalId: string, lookup: ResourceLookup): Record<string, unknown>;
  resolveOutputs(lookup: ResourceLookup): StackOutput[];
}

export interface PlanStackInput {
  readonly templateBody: string;
  readonly parameters: readonly StackParameterInput[];
  readonly previousParameters: Readonly<Record<string, string>>;
  readonly registry: ResourceRegistry;
  readonly pseudo: PseudoParameters;
}

/** One template problem as a line: where, then what. */
export function describeTemplateError(error: TemplateError): string {
  const where = error.line !== undefined ? `line ${error.line}, column ${error.column ?? 1}` : error.path;
  return where ? `${where}: ${error.message}` : error.message;
}

function validationError(errors: readonly TemplateError[]): AwsError {
  return new AwsError(
    "ValidationError",
    `Template format error: ${errors.map(describeTemplateError).join("; ")}`,
  );
}

function parameterText(value: ParameterValue): string {
  return typeof value === "string" ? value : value.join(",");
}

/**
 * Runs a template check, turning the stack overflow a pathologically nested template causes
 * into the ValidationError it deserves rather than an internal failure.
 */
function guarded<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof RangeError)
      throw new AwsError("ValidationError", "Template format error: the template is nested too deeply");
    throw error;
  }
}

export function planStack(input: PlanStackInput): PlannedStack {
  return guarded(() => planUnguarded(input));
}

/**
 * Plans `input` as the stack `stackId` in the account and region of `scope`; `previous` are the
 * values `UsePreviousValue` takes.
 */
export function planDeployment(
  registry: ResourceRegistry,
  scope: { readonly accountId: string; readonly region: string },
  stackId: string,
  input: DeployInput,
  previous: Readonly<Record<string, string>>,
): PlannedStack {
  return planStack({
    templateBody: input.templateBody,
    parameters: input.parameters,
    previousParameters: previous,
    registry,
    pseudo: { accountId: scope.accountId, region: scope.region, stackName: input.stackName, stackId },
  });
}

/** Resolved parameter values as inputs: planning again with them gives the plan they came from. */
export function parameterInputsOf(values: Readonly<Record<string, string>>): StackParameterInput[] {
  return Object.entries(values).map(([key, value]) => ({ key, value }));
}

function planUnguarded(input: PlanStackInput): PlannedStack {
  const loaded = loadTemplate(input.templateBody);
  if (!loaded.ok) throw validationError(loaded.errors);
  const values: Record<string, string> = {};
  for (const parameter of input.parameters) {
    if ("usePreviousValue" in parameter) {
      const previous = input.previousParameters[parameter.key];
      if (previous === undefined)
        throw new AwsError("ValidationError", `Parameter ${parameter.key} has no previous value to use`);
      values[parameter.key] = previous;
    } else {
      values[parameter.key] = parameter.value;
    }
  }
  const planned = planTemplate(loaded.template, {
    registry: input.registry,
    parameterValues: values,
    pseudo: input.pseudo,
  });
  if (!planned.ok) throw validationError(planned.errors);
  const { plan } = planned;
  const contextFor = (lookup: ResourceLookup) =>
    createResolveContext(plan, {
      resolveResourceRef: (id) => lookup.ref(id),
      resolveGetAtt: (id, attribute) => lookup.getAtt(id, attribute),
      importValue: (name) => {
        throw new Error(`Fn::ImportValue of ${name}: cross-stack imports are not supported yet`);
      },
    });
  const byId = new Map(plan.resources.map((r) => [r.logicalId, r]));
  return {
    ...(plan.description !== undefined ? { description: plan.description } : {}),
    parameters: Object.fromEntries(Object.entries(plan.parameters).map(([k, v]) => [k, parameterText(v)])),
    noEcho: plan.noEchoParameters,
    resources: plan.resources,
    resolveProperties(logicalId, lookup) {
      const resource = byId.get(logicalId);
      if (!resource) throw new Error(`Resource ${logicalId} is not in the plan`);
      try {
        const value = resolveValue(
          resource.properties,
          contextFor(lookup),
          `Resources.${logicalId}.Properties`,
        );
        return (value ?? {}) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof IntrinsicError) throw new Error(`${error.path}: ${error.message}`);
        throw error;
      }
    },
    resolveOutputs(lookup) {
      try {
        return resolveOutputs(plan, contextFor(lookup));
      } catch (error) {
        if (error instanceof IntrinsicError) throw new Error(`${error.path}: ${error.message}`);
        throw error;
      }
    },
  };
}

export interface TemplateSummary {
  readonly Description?: string;
  readonly Parameters: Array<{
    ParameterKey: string;
    DefaultValue?: string;
    NoEcho: boolean;
    Description?: string;
  }>;
}

/** ValidateTemplate: every problem, or the template's parameters. */
export function summarizeTemplate(templateBody: string, registry: ResourceRegistry): TemplateSummary {
  return guarded(() => summarizeUnguarded(templateBody, registry));
}

function summarizeUnguarded(templateBody: string, registry: ResourceRegistry): TemplateSummary {
  const loaded = loadTemplate(templateBody);
  if (!loaded.ok) throw validationError(loaded.errors);
  const errors = validateTemplate(loaded.template, { registry });
  if (errors.length > 0) throw validationError(errors);
  const { definitions } = readParameterDefinitions(loaded.template.Parameters);
  const description = loaded.template.Description;
  return {
    ...(typeof description === "string" ? { Description: description } : {}),
    Parameters: definitions.map((d) => ({
      ParameterKey: d.name,
      ...(d.default !== undefined ? { DefaultValue: d.default } : {}),
      NoEcho: d.noEcho,
      ...(d.description !== undefined ? { Description: d.description } : {}),
    })),
  };
}
