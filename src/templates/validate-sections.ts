/**
 * Checks of the template's sections other than Resources and Parameters: which top-level keys may
 * appear, the format version, Transform, Mappings, the shape of Conditions, and Outputs.
 */
import { childPath, describeValue, isPlainObject, type JsonObject, ownValue } from "./json-values.js";
import { SAM_TRANSFORM } from "./sam-globals.js";
import { type TemplateError, templateError } from "./template-errors.js";

export const TEMPLATE_FORMAT_VERSION = "2010-09-09";
export const LOGICAL_ID_PATTERN = /^[A-Za-z0-9]+$/;
const MAX_DESCRIPTION = 1024;
const MAX_MAPPINGS = 200;
const MAX_OUTPUTS = 200;

/** `Rules` is accepted and not evaluated: it only restricts parameter values, which are checked anyway. */
const TOP_LEVEL_KEYS = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Globals",
  "Resources",
  "Outputs",
]);

/** Top-level checks; also says whether the SAM transform is declared. */
export function checkTopLevel(template: JsonObject): { errors: TemplateError[]; samTransform: boolean } {
  const errors: TemplateError[] = [];
  for (const key of Object.keys(template)) {
    if (!TOP_LEVEL_KEYS.has(key))
      errors.push(templateError(key, `Invalid template property or properties [${key}]`));
  }
  const version = ownValue(template, "AWSTemplateFormatVersion");
  if (version !== undefined && version !== TEMPLATE_FORMAT_VERSION) {
    errors.push(
      templateError(
        "AWSTemplateFormatVersion",
        `${describeValue(version)} is not a valid template version; the only valid version is ${TEMPLATE_FORMAT_VERSION}`,
      ),
    );
  }
  const description = ownValue(template, "Description");
  if (description !== undefined && typeof description !== "string") {
    errors.push(templateError("Description", "Description must be a string"));
  } else if (typeof description === "string" && description.length > MAX_DESCRIPTION) {
    errors.push(templateError("Description", `'Description' length is greater than ${MAX_DESCRIPTION}.`));
  }
  const metadata = ownValue(template, "Metadata");
  if (metadata !== undefined && !isPlainObject(metadata))
    errors.push(templateError("Metadata", "Metadata must be a map"));
  const transform = ownValue(template, "Transform");
  let samTransform = false;
  if (transform !== undefined) {
    const names = Array.isArray(transform) ? transform : [transform];
    names.forEach((name, i) => {
      const path = Array.isArray(transform) ? childPath("Transform", i) : "Transform";
      if (name === SAM_TRANSFORM) samTransform = true;
      else
        errors.push(
          templateError(
            path,
            `Transform ${describeValue(name)} is not supported; Jeff supports only ${SAM_TRANSFORM}`,
          ),
        );
    });
  }
  if (ownValue(template, "Globals") !== undefined && !samTransform) {
    errors.push(templateError("Globals", `The Globals section needs Transform: ${SAM_TRANSFORM}`));
  }
  return { errors, samTransform };
}

/** Paths of every `null` in the template; CloudFormation rejects them all. */
export function checkNoNulls(value: unknown, path: string, errors: TemplateError[]): void {
  if (value === null) {
    errors.push(templateError(path, "'null' values are not allowed in templates"));
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkNoNulls(item, childPath(path, i), errors);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) checkNoNulls(item, childPath(path, key), errors);
  }
}

const isScalar = (value: unknown): boolean => ["string", "number", "boolean"].includes(typeof value);

export function checkMappings(section: unknown): TemplateError[] {
  if (section === undefined || section === null) return [];
  if (!isPlainObject(section))
    return [templateError("Mappings", "The Mappings section must be a map of mappings")];
  const errors: TemplateError[] = [];
  const names = Object.keys(section);
  if (names.length > MAX_MAPPINGS)
    errors.push(
      templateError("Mappings", `Mappings count ${names.length} is greater than the maximum ${MAX_MAPPINGS}`),
    );
  for (const name of names) {
    const path = childPath("Mappings", name);
    if (!LOGICAL_ID_PATTERN.test(name))
      errors.push(templateError(path, `Mapping name ${name} is non alphanumeric.`));
    const map = section[name];
    if (!isPlainObject(map) || Object.keys(map).length === 0) {
      errors.push(templateError(path, `Mapping ${name} must be a non-empty map of top-level keys`));
      continue;
    }
    for (const [topKey, second] of Object.entries(map)) {
      const topPath = childPath(path, topKey);
      if (!isPlainObject(second)) {
        errors.push(
          templateError(
            topPath,
            `Mapping ${name}: the value of ${topKey} must be a map of second-level keys`,
          ),
        );
        continue;
      }
      for (const [key, value] of Object.entries(second)) {
        const ok = isScalar(value) || (Array.isArray(value) && value.every(isScalar));
        if (!ok && value !== null)
          errors.push(
            templateError(childPath(topPath, key), "Every Mappings attribute must be a String or a List."),
          );
      }
    }
  }
  return errors;
}

const OUTPUT_KEYS = new Set(["Description", "Value", "Export", "Condition"]);

/** Structure of each output; the intrinsics in Value and Export.Name are checked by the caller. */
export function checkOutputs(section: unknown, conditionNames: ReadonlySet<string>): TemplateError[] {
  if (section === undefined || section === null) return [];
  if (!isPlainObject(section))
    return [templateError("Outputs", "The Outputs section must be a map of outputs")];
  const errors: TemplateError[] = [];
  const names = Object.keys(section);
  if (names.length > MAX_OUTPUTS)
    errors.push(
      templateError("Outputs", `Outputs count ${names.length} is greater than the maximum ${MAX_OUTPUTS}`),
    );
  for (const name of names) {
    const path = childPath("Outputs", name);
    const output = section[name];
    if (!LOGICAL_ID_PATTERN.test(name))
      errors.push(templateError(path, `Output name ${name} is non alphanumeric.`));
    if (!isPlainObject(output)) {
      if (output !== null) errors.push(templateError(path, `Output ${name} must be a map with a Value`));
      continue;
    }
    for (const key of Object.keys(output)) {
      if (!OUTPUT_KEYS.has(key))
        errors.push(templateError(childPath(path, key), `Invalid output property '${key}'`));
    }
    if (!Object.hasOwn(output, "Value"))
      errors.push(templateError(path, "Every Outputs member must contain a Value object"));
    const description = ownValue(output, "Description");
    if (description !== undefined && typeof description !== "string") {
      errors.push(
        templateError(childPath(path, "Description"), "Output Description must be a literal string"),
      );
    }
    const exported = ownValue(output, "Export");
    if (
      exported !== undefined &&
      (!isPlainObject(exported) || !Object.hasOwn(exported, "Name") || Object.keys(exported).length !== 1)
    ) {
      errors.push(
        templateError(childPath(path, "Export"), `Export of output ${name} must be a map with only a Name`),
      );
    }
    errors.push(
      ...checkConditionName(ownValue(output, "Condition"), childPath(path, "Condition"), conditionNames),
    );
  }
  return errors;
}

/** A resource's or output's `Condition` attribute: a literal name defined in Conditions. */
export function checkConditionName(
  condition: unknown,
  path: string,
  conditionNames: ReadonlySet<string>,
): TemplateError[] {
  if (condition === undefined || condition === null) return [];
  if (typeof condition !== "string")
    return [templateError(path, "Condition must be the name of a condition")];
  if (!conditionNames.has(condition))
    return [templateError(path, `Condition ${condition} is not defined in the Conditions section`)];
  return [];
}
