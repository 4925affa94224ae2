/**
 * SAM's Globals section: properties declared once under `Globals.Function` (or Api, HttpApi,
 * SimpleTable, StateMachine, LayerVersion) are merged into every resource of the matching
 * `AWS::Serverless::*` type before anything else reads the template. The merge follows SAM's own
 * implementation (samtranslator `plugins/globals/globals.py`):
 *
 * - a scalar (or an intrinsic function call, which resolves to one) on the resource wins;
 * - maps merge key by key, recursively, so `Environment.Variables` gain the global variables;
 * - lists concatenate, global entries first, without removing duplicates;
 * - when the two kinds differ the resource's value wins.
 *
 * A resource may opt out with SAM's `IgnoreGlobals` attribute: `"*"` or a list of property names.
 */
import { childPath, isPlainObject, type JsonObject, ownValue, setOwn } from "./json-values.js";
import { type TemplateError, templateError } from "./template-errors.js";

export const SAM_TRANSFORM = "AWS::Serverless-2016-10-31";
const SERVERLESS_PREFIX = "AWS::Serverless::";

/** The properties each section may set, as in SAM's `Globals.supported_properties`. */
export const GLOBALS_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  Function: [
    "Handler",
    "Runtime",
    "CodeUri",
    "DeadLetterQueue",
    "Description",
    "MemorySize",
    "Timeout",
    "VpcConfig",
    "Environment",
    "Tags",
    "PropagateTags",
    "Tracing",
    "KmsKeyArn",
    "AutoPublishAlias",
    "AutoPublishAliasAllProperties",
    "Layers",
    "DeploymentPreference",
    "RolePath",
    "PermissionsBoundary",
    "ReservedConcurrentExecutions",
    "ProvisionedConcurrencyConfig",
    "AssumeRolePolicyDocument",
    "EventInvokeConfig",
    "FileSystemConfigs",
    "CodeSigningConfigArn",
    "Architectures",
    "SnapStart",
    "EphemeralStorage",
    "FunctionUrlConfig",
    "RuntimeManagementConfig",
    "LoggingConfig",
    "RecursiveLoop",
    "SourceKMSKeyArn",
  ],
  Api: [
    "Auth",
    "Name",
    "DefinitionUri",
    "CacheClusterEnabled",
    "CacheClusterSize",
    "MergeDefinitions",
    "Variables",
    "EndpointConfiguration",
    "MethodSettings",
    "BinaryMediaTypes",
    "MinimumCompressionSize",
    "Cors",
    "GatewayResponses",
    "AccessLogSetting",
    "CanarySetting",
    "TracingEnabled",
    "OpenApiVersion",
    "Domain",
    "AlwaysDeploy",
    "PropagateTags",
  ],
  HttpApi: [
    "Auth",
    "AccessLogSettings",
    "StageVariables",
    "Tags",
    "CorsConfiguration",
    "DefaultRouteSettings",
    "Domain",
    "RouteSettings",
    "FailOnWarnings",
    "PropagateTags",
  ],
  SimpleTable: ["SSESpecification"],
  StateMachine: ["PropagateTags"],
  LayerVersion: ["PublishLambdaVersion"],
};

const SECTION_NAMES = Object.keys(GLOBALS_PROPERTIES).sort();

/** Global properties by the resource type they apply to, e.g. `AWS::Serverless::Function`. */
export type SamGlobals = Readonly<Record<string, JsonObject>>;

const invalid = (path: string, message: string): TemplateError =>
  templateError(path, `'Globals' section is invalid. ${message}`);

export function readGlobals(section: unknown): { globals: SamGlobals; errors: TemplateError[] } {
  const globals: Record<string, JsonObject> = {};
  const errors: TemplateError[] = [];
  if (section === undefined) return { globals, errors };
  if (!isPlainObject(section) || Object.keys(section).length === 0) {
    return { globals, errors: [invalid("Globals", "It must be a non-empty dictionary")] };
  }
  for (const [name, properties] of Object.entries(section)) {
    const path = childPath("Globals", name);
    const supported = Object.hasOwn(GLOBALS_PROPERTIES, name) ? GLOBALS_PROPERTIES[name] : undefined;
    if (supported === undefined) {
      errors.push(
        invalid(
          path,
          `'${name}' is not supported. Must be one of the following values - [${SECTION_NAMES.join(", ")}]`,
        ),
      );
      continue;
    }
    if (!isPlainObject(properties)) {
      errors.push(invalid(path, `Value of ${name} must be a dictionary`));
      continue;
    }
    for (const key of Object.keys(properties)) {
      if (!supported.includes(key)) {
        errors.push(
          invalid(
            childPath(path, key),
            `'${key}' is not a supported property of '${name}'. Must be one of the following values - [${supported.join(", ")}]`,
          ),
        );
      }
    }
    globals[SERVERLESS_PREFIX + name] = properties;
  }
  return { globals, errors };
}

/** SAM counts `Ref`, `Condition` and `Fn::*` one-key maps as scalars: they resolve to one. */
function isIntrinsic(value: JsonObject): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0] === "Condition" || keys[0]!.startsWith("Fn::"));
}

type Token = "scalar" | "map" | "list";

function tokenOf(value: unknown): Token {
  if (Array.isArray(value)) return "list";
  if (isPlainObject(value) && !isIntrinsic(value)) return "map";
  return "scalar";
}

/** Merges global and resource values by SAM's rules; neither input is modified. */
export function mergeGlobalValue(globalValue: unknown, localValue: unknown): unknown {
  const token = tokenOf(globalValue);
  if (token !== tokenOf(localValue) || token === "scalar") return localValue;
  if (token === "list") return [...(globalValue as unknown[]), ...(localValue as unknown[])];
  const merged: JsonObject = { ...(globalValue as JsonObject) };
  for (const [key, value] of Object.entries(localValue as JsonObject)) {
    setOwn(merged, key, Object.hasOwn(merged, key) ? mergeGlobalValue(merged[key], value) : value);
  }
  return merged;
}

/** The global properties left after a resource's `IgnoreGlobals`, or an error naming the bad item. */
function effectiveGlobals(
  logicalId: string,
  globals: JsonObject,
  ignore: unknown,
): { properties: JsonObject; error?: TemplateError } {
  if (ignore === undefined) return { properties: globals };
  const path = childPath(childPath("Resources", logicalId), "IgnoreGlobals");
  if (ignore === "*") return { properties: {} };
  if (!Array.isArray(ignore)) {
    return {
      properties: globals,
      error: templateError(path, `Resource ${logicalId} has invalid resource attribute 'IgnoreGlobals'.`),
    };
  }
  const properties: JsonObject = { ...globals };
  for (const key of ignore) {
    if (typeof key !== "string" || !Object.hasOwn(properties, key)) {
      const message = `Resource ${logicalId} has invalid resource attribute 'IgnoreGlobals' on item '${String(key)}'.`;
      return { properties: globals, error: templateError(path, message) };
    }
    delete properties[key];
  }
  return { properties };
}

/**
 * The template with Globals merged into its resources and the Globals section removed (so merging
 * twice is impossible). The input is not modified; resources without globals are shared, not copied.
 */
export function applySamGlobals(template: JsonObject): { template: JsonObject; errors: TemplateError[] } {
  const { globals, errors } = readGlobals(ownValue(template, "Globals"));
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(template)) if (key !== "Globals") setOwn(result, key, value);
  const resources = ownValue(template, "Resources");
  if (!isPlainObject(resources)) return { template: result, errors };
  const merged: JsonObject = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    setOwn(merged, logicalId, resource);
    if (!isPlainObject(resource)) continue;
    const type = ownValue(resource, "Type");
    const global = typeof type === "string" && Object.hasOwn(globals, type) ? globals[type] : undefined;
    if (global === undefined) continue;
    const { properties, error } = effectiveGlobals(logicalId, global, ownValue(resource, "IgnoreGlobals"));
    if (error !== undefined) errors.push(error);
    const local = ownValue(resource, "Properties") ?? {};
    setOwn(merged, logicalId, { ...resource, Properties: mergeGlobalValue(properties, local) });
  }
  setOwn(result, "Resources", merged);
  return { template: result, errors };
}
