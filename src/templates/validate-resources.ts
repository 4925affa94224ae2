/**
 * Checks of each resource's own shape: its logical id, Type (registered, or reported by name),
 * resource attributes, DependsOn, Condition and policies, and the type's own `validateProperties`.
 * References inside Properties are checked by the caller once every name is known.
 */
import { childPath, describeValue, isPlainObject, type JsonObject, ownValue } from "./json-values.js";
import type { ImplicitResource, ResourceHandler, ResourceRegistry } from "./resource-registry.js";
import { SAM_TRANSFORM } from "./sam-globals.js";
import { type TemplateError, templateError } from "./template-errors.js";
import type { TemplateNames } from "./template-names.js";
import { checkConditionName, LOGICAL_ID_PATTERN } from "./validate-sections.js";

export const MAX_RESOURCES = 500;
const MAX_LOGICAL_ID_LENGTH = 255;

const RESOURCE_ATTRIBUTES = new Set([
  "Type",
  "Properties",
  "DependsOn",
  "Condition",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "UpdatePolicy",
  "CreationPolicy",
  "Metadata",
]);
/** SAM's own resource attribute, meaningful only on `AWS::Serverless::*` resources. */
const SAM_RESOURCE_ATTRIBUTES = new Set(["IgnoreGlobals"]);

export const DELETION_POLICIES = ["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"] as const;
export const UPDATE_REPLACE_POLICIES = ["Delete", "Retain", "Snapshot"] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
export type UpdateReplacePolicy = (typeof UPDATE_REPLACE_POLICIES)[number];

export interface ResourceEntry {
  readonly logicalId: string;
  /** `""` when the resource has no usable Type (already reported). */
  readonly type: string;
  readonly resource: JsonObject;
  readonly properties: unknown;
  readonly handler: ResourceHandler | undefined;
}

export interface ReadResourcesOptions {
  readonly registry: ResourceRegistry;
  readonly samTransform: boolean;
  readonly conditionNames: ReadonlySet<string>;
  readonly parameterNames: ReadonlySet<string>;
}

export function isServerlessType(type: string): boolean {
  return type.startsWith("AWS::Serverless::");
}

/** Every resource whose body is a map, in template order, with the problems of each. */
export function readResources(
  section: unknown,
  options: ReadResourcesOptions,
): { entries: ResourceEntry[]; errors: TemplateError[] } {
  const entries: ResourceEntry[] = [];
  const errors: TemplateError[] = [];
  if (section === undefined) {
    errors.push(templateError("Resources", "At least one Resources member must be defined."));
    return { entries, errors };
  }
  if (!isPlainObject(section)) {
    if (section !== null)
      errors.push(templateError("Resources", "The Resources section must be a map of resources"));
    return { entries, errors };
  }
  const ids = Object.keys(section);
  if (ids.length === 0)
    errors.push(templateError("Resources", "At least one Resources member must be defined."));
  if (ids.length > MAX_RESOURCES)
    errors.push(
      templateError(
        "Resources",
        `Resources count ${ids.length} is greater than the maximum ${MAX_RESOURCES}`,
      ),
    );
  for (const logicalId of ids) {
    const path = childPath("Resources", logicalId);
    const fail = (at: string, message: string): void => {
      errors.push(templateError(at, message, logicalId));
    };
    if (!LOGICAL_ID_PATTERN.test(logicalId)) fail(path, `Resource name ${logicalId} is non alphanumeric.`);
    else if (logicalId.length > MAX_LOGICAL_ID_LENGTH)
      fail(path, `Resource name ${logicalId} is longer than ${MAX_LOGICAL_ID_LENGTH} characters`);
    if (options.parameterNames.has(logicalId))
      fail(path, `${logicalId} is declared as both a parameter and a resource; logical ids must be unique`);
    const resource = section[logicalId];
    if (!isPlainObject(resource)) {
      if (resource !== null) fail(path, `Resource ${logicalId} must be a map with a Type`);
      continue;
    }
    const type = readType(resource, path, options, fail);
    const handler = type === "" ? undefined : options.registry.get(type);
    for (const key of Object.keys(resource)) {
      const allowed =
        RESOURCE_ATTRIBUTES.has(key) || (SAM_RESOURCE_ATTRIBUTES.has(key) && isServerlessType(type));
      if (!allowed) fail(childPath(path, key), `Invalid template resource property '${key}'`);
    }
    const properties = ownValue(resource, "Properties") ?? {};
    if (!isPlainObject(properties) && properties !== null)
      fail(childPath(path, "Properties"), "Every Properties member must be a map");
    checkAttributes(resource, path, options, fail);
    if (handler?.validateProperties !== undefined && isPlainObject(properties)) {
      for (const error of handler.validateProperties(properties, childPath(path, "Properties"))) {
        errors.push(error.logicalId === undefined ? { ...error, logicalId } : error);
      }
    }
    entries.push({ logicalId, type, resource, properties, handler });
  }
  return { entries, errors };
}

function readType(
  resource: JsonObject,
  path: string,
  options: ReadResourcesOptions,
  fail: (at: string, message: string) => void,
): string {
  const type = ownValue(resource, "Type");
  const at = childPath(path, "Type");
  if (typeof type !== "string" || type === "") {
    if (type !== null) fail(at, "Every Resources object must contain a Type member.");
    return "";
  }
  if (isServerlessType(type) && !options.samTransform) {
    fail(at, `Unrecognized resource types: [${type}]; SAM resources need Transform: ${SAM_TRANSFORM}`);
  } else if (!options.registry.has(type)) {
    fail(at, `Unrecognized resource types: [${type}]; Jeff has no handler for this type`);
  }
  return type;
}

function checkAttributes(
  resource: JsonObject,
  path: string,
  options: ReadResourcesOptions,
  fail: (at: string, message: string) => void,
): void {
  const dependsOn = ownValue(resource, "DependsOn");
  if (dependsOn !== undefined && dependsOn !== null) {
    const ok =
      typeof dependsOn === "string" ||
      (Array.isArray(dependsOn) && dependsOn.every((d) => typeof d === "string"));
    if (!ok) fail(childPath(path, "DependsOn"), "DependsOn must be a logical id or a list of logical ids");
  }
  for (const error of checkConditionName(
    ownValue(resource, "Condition"),
    childPath(path, "Condition"),
    options.conditionNames,
  )) {
    fail(error.path, error.message);
  }
  const policies: Array<[string, readonly string[]]> = [
    ["DeletionPolicy", DELETION_POLICIES],
    ["UpdateReplacePolicy", UPDATE_REPLACE_POLICIES],
  ];
  for (const [key, allowed] of policies) {
    const value = ownValue(resource, key);
    if (value !== undefined && value !== null && !(typeof value === "string" && allowed.includes(value))) {
      fail(
        childPath(path, key),
        `Unrecognized ${key} ${describeValue(value)}; it must be one of [${allowed.join(", ")}]`,
      );
    }
  }
  for (const key of ["Metadata", "UpdatePolicy", "CreationPolicy"]) {
    const value = ownValue(resource, key);
    if (value !== undefined && value !== null && !isPlainObject(value))
      fail(childPath(path, key), `${key} must be a map`);
  }
}

/** The explicit DependsOn of a resource, as a list. */
export function explicitDependsOn(resource: JsonObject): string[] {
  const dependsOn = ownValue(resource, "DependsOn");
  if (typeof dependsOn === "string") return [dependsOn];
  return Array.isArray(dependsOn) ? dependsOn.filter((d): d is string => typeof d === "string") : [];
}

export function checkDependsOn(entry: ResourceEntry, names: TemplateNames): TemplateError[] {
  const errors: TemplateError[] = [];
  const path = childPath(childPath("Resources", entry.logicalId), "DependsOn");
  for (const target of explicitDependsOn(entry.resource)) {
    if (!names.resources.has(target) && !names.implicit.has(target)) {
      errors.push(
        templateError(
          path,
          `Unresolved resource dependencies [${target}] in the Resources block of the template`,
          entry.logicalId,
        ),
      );
    }
  }
  return errors;
}

/** The SAM-generated ids each resource declares; a declared resource of the same id takes precedence. */
export function implicitResourcesOf(
  entries: readonly ResourceEntry[],
): Map<string, { type: string; owners: string[] }> {
  const declared = new Set(entries.map((e) => e.logicalId));
  const implicit = new Map<string, { type: string; owners: string[] }>();
  for (const entry of entries) {
    const generated: readonly ImplicitResource[] =
      entry.handler?.implicitResources?.(entry.logicalId, entry.properties) ?? [];
    for (const { logicalId, type } of generated) {
      if (declared.has(logicalId)) continue;
      const known = implicit.get(logicalId);
      if (known === undefined) implicit.set(logicalId, { type, owners: [entry.logicalId] });
      else if (!known.owners.includes(entry.logicalId)) known.owners.push(entry.logicalId);
    }
  }
  return implicit;
}
