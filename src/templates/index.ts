/**
 * The CloudFormation / SAM template language, as a pure library: loading JSON and YAML (short-form
 * tags included), validation, intrinsic functions, conditions, parameters, SAM Globals, the
 * dependency graph and the resource-type registry, ending in a plan the stack engine applies.
 *
 * Contract: the template language of AWS CloudFormation (`AWSTemplateFormatVersion` 2010-09-09)
 * with the `AWS::Serverless-2016-10-31` transform's Globals; messages follow CloudFormation's.
 *
 * Invariant: a resource type that no subsystem registered is reported by name, never silently
 * dropped. This folder does no I/O: no files, network, clock or randomness; what only the engine
 * knows (physical ids, attributes, exports) comes in through callbacks.
 *
 * @module
 */

export { type ConditionContext, evaluateConditions } from "./conditions.js";
export {
  deletionOrder,
  findCycles,
  type GraphNode,
  type TopologicalOrder,
  topologicalOrder,
} from "./dependency-graph.js";
export { INTRINSIC_FUNCTIONS, type IntrinsicFunctionName } from "./intrinsic-functions.js";
export { type ResolveContext, resolveValue } from "./intrinsics.js";
export { isFunctionCall } from "./json-values.js";
export { type LoadResult, loadTemplate } from "./load-template.js";
export {
  type ParameterDefinition,
  type ParameterInputs,
  type ParameterKind,
  type ParameterValue,
  readParameterDefinitions,
  resolveParameterValues,
} from "./parameters.js";
export {
  createResolveContext,
  type EngineResolvers,
  type PlannedOutput,
  type PlannedResource,
  type PlanOptions,
  type PlanResult,
  planTemplate,
  type ResolvedOutput,
  resolveOutputs,
  type TemplatePlan,
} from "./plan-template.js";
export { PSEUDO_PARAMETER_NAMES, type PseudoParameters } from "./pseudo-parameters.js";
export { collectReferences, type TemplateReference } from "./references.js";
export {
  CUSTOM_RESOURCE_TYPE,
  type ImplicitResource,
  type ResourceContext,
  type ResourceHandler,
  ResourceRegistry,
  type ResourceResult,
  type StackCaller,
  supportsAttribute,
} from "./resource-registry.js";
export { expandedSamEventTypes, expandSamEvents } from "./sam-events.js";
export { applySamGlobals, GLOBALS_PROPERTIES, mergeGlobalValue, SAM_TRANSFORM } from "./sam-globals.js";
export { IntrinsicError, TEMPLATE_ERROR_CODE, type TemplateError } from "./template-errors.js";
export type { DeletionPolicy, UpdateReplacePolicy } from "./validate-resources.js";
export { type ValidateOptions, validateTemplate } from "./validate-template.js";
