/**
 * The configuration a caller may set on a function, checked field by field with Lambda's limits
 * and messages. One set of rules serves CreateFunction, UpdateFunctionConfiguration and templates.
 */
import { lambdaErrors } from "../lambda-errors.js";

export const runtimes = [
  "nodejs16.x",
  "nodejs18.x",
  "nodejs20.x",
  "nodejs22.x",
  "nodejs24.x",
  "python3.8",
  "python3.9",
  "python3.10",
  "python3.11",
  "python3.12",
  "python3.13",
  "python3.14",
  "provided.al2",
  "provided.al2023",
] as const;

/**
 * Runtimes of Lambda's model that Lambda no longer takes on a create or an update (its deprecation
 * table; recorded: test_create_deprecated_function_runtime_with_validation_enabled). Every other
 * runtime of the model is still taken, whether Jeff runs it or not.
 */
const deprecatedRuntimes = new Set([
  "nodejs",
  "nodejs4.3",
  "nodejs4.3-edge",
  "nodejs6.10",
  "nodejs8.10",
  "nodejs10.x",
  "nodejs12.x",
  "nodejs14.x",
  "java8",
  "python2.7",
  "python3.6",
  "python3.7",
  "dotnetcore1.0",
  "dotnetcore2.0",
  "dotnetcore2.1",
  "dotnetcore3.1",
  "go1.x",
  "ruby2.5",
  "ruby2.7",
  "provided",
]);

export const limits = {
  timeout: { min: 1, max: 900, default: 3 },
  memorySize: { min: 128, max: 10_240, default: 128 },
  environmentBytes: 4096,
  description: 256,
  handler: 128,
} as const;

/** Variables Lambda sets itself; a function may not override them. */
const reservedVariables = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

export interface FunctionSettings {
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  options: FunctionOptions;
}

/**
 * Settings Lambda takes and returns that Jeff keeps exactly as given, so that a client that set
 * them reads them back (Terraform sees no drift): each is honoured as far as this host can, and
 * docs/functions.md says what each changes. Absent members mean Lambda's defaults.
 */
export interface FunctionOptions {
  /** `x86_64` or `arm64`; functions run on this host's architecture whatever it says. */
  readonly architecture?: "x86_64" | "arm64";
  /** TracingConfig.Mode: `Active` or `PassThrough`; no traces are recorded yet. */
  readonly tracingMode?: "Active" | "PassThrough";
  /** EphemeralStorage.Size in MB (512–10,240): the size of the function's /tmp. */
  readonly ephemeralStorageMb?: number;
  /** LoggingConfig as given (LogFormat, ApplicationLogLevel, SystemLogLevel, LogGroup). */
  readonly logging?: Readonly<Record<string, string>>;
  /** Whether an Environment was given, if with no variables: Lambda answers it back then. */
  readonly environmentGiven?: boolean;
  /** PutFunctionRecursionConfig's RecursiveLoop (`Terminate` unless set); no loops are detected. */
  readonly recursiveLoop?: "Allow" | "Terminate";
}

const logLevels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

function oneOf<T extends string>(value: unknown, member: string, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw lambdaErrors.validation(
      member,
      value,
      `Member must satisfy enum value set: [${allowed.join(", ")}]`,
    );
  }
  return value as T;
}

/** The kept-as-given settings in `input` over `base`. */
function readOptions(input: Record<string, unknown>, base: FunctionOptions | undefined): FunctionOptions {
  const options: { -readonly [K in keyof FunctionOptions]: FunctionOptions[K] } = { ...base };
  if (input.Environment !== undefined) options.environmentGiven = true;
  if (input.Architectures !== undefined) {
    const list = input.Architectures;
    if (!Array.isArray(list) || list.length !== 1)
      throw lambdaErrors.validation("architectures", list, "Member must have length less than or equal to 1");
    options.architecture = oneOf(list[0], "architectures", ["x86_64", "arm64"] as const);
  }
  if (input.TracingConfig !== undefined) {
    const mode = (input.TracingConfig as { Mode?: unknown } | null)?.Mode;
    options.tracingMode = oneOf(mode, "tracingConfig.mode", ["Active", "PassThrough"] as const);
  }
  if (input.EphemeralStorage !== undefined) {
    const size = (input.EphemeralStorage as { Size?: unknown } | null)?.Size;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 512 || size > 10_240)
      throw lambdaErrors.validation(
        "ephemeralStorage.size",
        size,
        "Member must have value between 512 and 10240",
      );
    options.ephemeralStorageMb = size;
  }
  if (input.Environment !== undefined) options.environmentGiven = true;
  if (input.LoggingConfig !== undefined) {
    const given = (input.LoggingConfig ?? {}) as Record<string, unknown>;
    const logging: Record<string, string> = { ...base?.logging };
    if (given.LogFormat !== undefined)
      logging.LogFormat = oneOf(given.LogFormat, "loggingConfig.logFormat", ["JSON", "Text"]);
    for (const [field, member] of [
      ["ApplicationLogLevel", "loggingConfig.applicationLogLevel"],
      ["SystemLogLevel", "loggingConfig.systemLogLevel"],
    ] as const) {
      if (given[field] !== undefined) logging[field] = oneOf(given[field], member, logLevels);
    }
    if (given.LogGroup !== undefined) {
      if (typeof given.LogGroup !== "string" || !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(given.LogGroup))
        throw lambdaErrors.validation(
          "loggingConfig.logGroup",
          given.LogGroup,
          "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
        );
      logging.LogGroup = given.LogGroup;
    }
    options.logging = logging;
  }
  return options;
}

const namePattern = /^[a-zA-Z0-9-_]{1,64}$/;
const rolePattern = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

export function checkFunctionName(name: unknown): string {
  if (typeof name !== "string" || !namePattern.test(name)) {
    throw lambdaErrors.validation(
      "functionName",
      name,
      "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length between 1 and 64",
    );
  }
  return name;
}

function integer(
  input: Record<string, unknown>,
  field: "Timeout" | "MemorySize",
  bounds: { min: number; max: number },
): number | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  const member = field === "Timeout" ? "timeout" : "memorySize";
  if (typeof value !== "number" || !Number.isInteger(value))
    throw lambdaErrors.validation(member, value, "Member must be an integer");
  if (value < bounds.min)
    throw lambdaErrors.validation(
      member,
      value,
      `Member must have value greater than or equal to ${bounds.min}`,
    );
  if (value > bounds.max)
    throw lambdaErrors.validation(
      member,
      value,
      `Member must have value less than or equal to ${bounds.max}`,
    );
  return value;
}

function text(input: Record<string, unknown>, field: string, member: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw lambdaErrors.validation(member, value, "Member must be a string");
  return value;
}

function environment(input: Record<string, unknown>): Record<string, string> | undefined {
  const env = input.Environment;
  if (env === undefined) return undefined;
  const variables = (env as { Variables?: unknown } | null)?.Variables ?? {};
  if (typeof variables !== "object" || variables === null || Array.isArray(variables)) {
    throw lambdaErrors.invalidParameter("Environment.Variables must be a map of strings");
  }
  const out: Record<string, string> = {};
  const reserved: string[] = [];
  for (const [key, value] of Object.entries(variables)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) {
      throw lambdaErrors.validation(
        "environment.variables",
        key,
        "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+",
      );
    }
    if (typeof value !== "string")
      throw lambdaErrors.invalidParameter(`Environment variable ${key} must be a string`);
    if (reservedVariables.has(key)) reserved.push(key);
    out[key] = value;
  }
  if (reserved.length > 0) {
    throw lambdaErrors.invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(",")}`,
    );
  }
  if (Buffer.byteLength(JSON.stringify(out)) > limits.environmentBytes) {
    throw lambdaErrors.invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.`,
    );
  }
  return out;
}

/**
 * Reads the settings in `input` over `base` (a function's current settings, or the defaults for a
 * new one), refusing anything out of Lambda's bounds.
 */
export function readSettings(
  input: Record<string, unknown>,
  base: FunctionSettings | undefined,
): FunctionSettings {
  const given = text(input, "Runtime", "runtime");
  if (given !== undefined && deprecatedRuntimes.has(given)) {
    throw lambdaErrors.invalidParameter(
      `The runtime parameter of ${given} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  }
  const runtime = given ?? base?.runtime;
  if (runtime === undefined || !(runtimes as readonly string[]).includes(runtime)) {
    throw lambdaErrors.validation(
      "runtime",
      runtime,
      `Member must satisfy enum value set: [${runtimes.join(", ")}]`,
    );
  }
  const handler = text(input, "Handler", "handler") ?? base?.handler;
  if (handler === undefined || handler.length === 0)
    throw lambdaErrors.invalidParameter("The Handler parameter is required for a .zip deployment package");
  if (handler.length > limits.handler || /\s/.test(handler)) {
    throw lambdaErrors.validation(
      "handler",
      handler,
      "Member must satisfy regular expression pattern: [^\\s]+ and have length at most 128",
    );
  }
  const role = text(input, "Role", "role") ?? base?.role;
  if (role === undefined) throw lambdaErrors.validation("role", undefined, "Member must not be null");
  if (!rolePattern.test(role)) {
    throw lambdaErrors.validation(
      "role",
      role,
      "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    );
  }
  const description = text(input, "Description", "description") ?? base?.description ?? "";
  if (description.length > limits.description) {
    throw lambdaErrors.validation(
      "description",
      `${description.slice(0, 20)}…`,
      `Member must have length less than or equal to ${limits.description}`,
    );
  }
  return {
    runtime,
    handler,
    role,
    description,
    timeout: integer(input, "Timeout", limits.timeout) ?? base?.timeout ?? limits.timeout.default,
    memorySize:
      integer(input, "MemorySize", limits.memorySize) ?? base?.memorySize ?? limits.memorySize.default,
    environment: environment(input) ?? base?.environment ?? {},
    options: readOptions(input, base?.options),
  };
}

/** Environment variables in key order: the same variables always compare and hash the same. */
export function sortedVariables(variables: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(variables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A ReservedConcurrentExecutions value, as PutFunctionConcurrency and templates take it. */
export function readReservedConcurrency(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw lambdaErrors.validation(
      "reservedConcurrentExecutions",
      value,
      "Member must have value greater than or equal to 0",
    );
  }
  return value;
}
