/**
 * Functions in templates: `AWS::Lambda::Function` and SAM's `AWS::Serverless::Function`. Both are
 * read into one shape — a function's settings and where its code comes from — and checked by the
 * same rules as CreateFunction. `Ref` gives the function's name, `Fn::GetAtt … Arn` its ARN.
 *
 * Code comes inline (`InlineCode`, `Code.ZipFile`: written to `index.js` / `index.py`, as
 * CloudFormation does) or as a path (`CodeUri`, or `Code` as a string, as `aws cloudformation
 * package` takes it). `jeff deploy` and `jeff dev` turn a project's paths into packages under the
 * data directory before they send the template, and a path may name nothing else: a template can
 * never make Jeff read a file of the host's (package-store.ts).
 *
 * A function is the Lambda calls CloudFormation makes for it — CreateFunction,
 * PutFunctionConcurrency, PublishVersion and CreateAlias for SAM's AutoPublishAlias,
 * PutFunctionEventInvokeConfig; on a change UpdateFunctionCode (only when the code or its
 * architecture changed), UpdateFunctionConfiguration and the tag calls; DeleteFunction — made
 * through the API's own operations on the stack caller's behalf, so a function from a template and
 * one from the CLI cannot differ. An uploaded package is named to Lambda as an object in Jeff's
 * bucket (`packageObject`), so its bytes are not sent again.
 */
import { createHash } from "node:crypto";
import { zipSync } from "fflate";
import {
  AwsError,
  findValidationErrors,
  lambdaModel,
  type OperationRunner,
  type RestJsonService,
  validationMessage,
} from "../../protocol/index.js";
import type { Store } from "../../store/index.js";
import {
  expandedSamEventTypes,
  isFunctionCall,
  type ResourceContext,
  type ResourceHandler,
  type TemplateError,
} from "../../templates/index.js";
import { isPackageLocation, keptPackage, packageObject, readPackage } from "../code/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  checkAliasName,
  checkFunctionName,
  functionArn,
  readEventInvokeConfig,
  readReservedConcurrency,
  readSettings,
  readTags,
  sortedVariables,
} from "../records/index.js";
import { type LambdaAnswer, stackLambdaCalls } from "./stack-calls.js";

export interface FunctionResourceOptions {
  /** Where uploaded packages are kept: a template names one by location, checked before it is used. */
  readonly store: Store;
  /**
   * Where earlier CLIs wrote packages, the only folder a template's code path may point into
   * (`package-store.ts`); today's CLI uploads them and names them `jeff://packages/…`.
   */
  readonly packagesDir: string;
  /** The call path: a stack's changes to functions are Lambda calls made on its caller's behalf. */
  readonly calls: OperationRunner;
  /** Lambda's API, whose operations those calls are. */
  readonly service: () => RestJsonService;
}

type Props = Record<string, unknown>;

const common = [
  "FunctionName",
  "Handler",
  "Runtime",
  "Role",
  "Description",
  "Timeout",
  "MemorySize",
  "Environment",
  "ReservedConcurrentExecutions",
  "Tags",
  "Architectures",
  "EphemeralStorage",
  "LoggingConfig",
  "PackageType",
];
/** SAM's own properties. Policies and PermissionsBoundary are kept with the stack only: IAM enforces nothing yet. */
const samOnly = [
  "CodeUri",
  "InlineCode",
  "Policies",
  "EventInvokeConfig",
  "AutoPublishAlias",
  "AutoPublishAliasAllProperties",
  "AutoPublishCodeSha256",
  "VersionDescription",
  "PermissionsBoundary",
  "Tracing",
];
const known: Record<string, ReadonlySet<string>> = {
  "AWS::Lambda::Function": new Set([...common, "Code", "TracingConfig"]),
  "AWS::Serverless::Function": new Set([...common, ...samOnly, "Events"]),
};

function validate(type: string, props: unknown, path: string): TemplateError[] {
  const errors: TemplateError[] = [];
  const p = (props ?? {}) as Props;
  const allowed = known[type]!;
  for (const key of Object.keys(p)) {
    if (!allowed.has(key))
      errors.push({ path: `${path}.${key}`, message: `Encountered unsupported property ${key}` });
  }
  const serverless = type === "AWS::Serverless::Function";
  if (serverless) {
    if (p.CodeUri === undefined && p.InlineCode === undefined)
      errors.push({ path, message: "CodeUri or InlineCode is required" });
    if (p.CodeUri !== undefined && p.InlineCode !== undefined)
      errors.push({ path, message: "CodeUri and InlineCode cannot both be given" });
    const events = p.Events;
    if (events !== null && typeof events === "object" && !isFunctionCall(events)) {
      for (const [name, event] of Object.entries(events)) {
        const kind = (event as { Type?: unknown } | null)?.Type;
        // Expanded into the rule and permission they stand for before the function is planned.
        if (typeof kind === "string" && expandedSamEventTypes.has(kind)) continue;
        errors.push({
          path: `${path}.Events.${name}`,
          message: `event source type ${String(kind)} is not supported yet: Jeff wires event sources to functions as their subsystems land`,
        });
      }
    }
  } else {
    if (p.Code === undefined) errors.push({ path: `${path}.Code`, message: "Code is required" });
    if (p.Role === undefined) errors.push({ path: `${path}.Role`, message: "Role is required" });
  }
  if (typeof p.PackageType === "string" && p.PackageType !== "Zip")
    errors.push({ path: `${path}.PackageType`, message: "Jeff runs .zip packages only (PackageType Zip)" });
  if (p.Runtime === undefined) errors.push({ path: `${path}.Runtime`, message: "Runtime is required" });
  if (p.Handler === undefined) errors.push({ path: `${path}.Handler`, message: "Handler is required" });
  errors.push(...settingsProblems(p, path));
  return errors;
}

/** The settings a template sets, as CreateFunction takes them. */
const settingsMembers = [
  "FunctionName",
  "Runtime",
  "Handler",
  "Role",
  "Description",
  "Timeout",
  "MemorySize",
  "Environment",
];

/** Valid stand-ins for the members a check needs but the template leaves to deploy time. */
const standIns: Props = {
  FunctionName: "stand-in",
  Runtime: "nodejs20.x",
  Handler: "index.handler",
  Role: "arn:aws:iam::123456789012:role/stand-in",
  Code: { ZipFile: Buffer.from("stand-in") },
};

/** No intrinsic function anywhere inside: the value is known before deploy. */
function isStatic(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  if (isFunctionCall(value)) return false;
  return Object.values(value).every(isStatic);
}

/**
 * Every problem deploy would find in the function's settings, each once, without a store: AWS's
 * model's constraints on CreateFunction first, then Lambda's own rules the model does not state
 * (a timeout over 900, reserved variables), each property judged on its own so that one problem
 * does not hide the next. Values only known at deploy time are left to deploy.
 */
function settingsProblems(props: Props, path: string): TemplateError[] {
  const known: Props = {};
  for (const member of settingsMembers) {
    const value = member === "Timeout" || member === "MemorySize" ? integerOf(props[member]) : props[member];
    if (value !== undefined && isStatic(value)) known[member] = value;
  }
  const errors: TemplateError[] = [];
  const flagged = new Set<string>();
  for (const violation of findValidationErrors(lambdaModel, "CreateFunction", { ...standIns, ...known })) {
    const member = settingsMembers.find((name) => violation.path.split(".")[0] === lowerFirst(name)) ?? "";
    flagged.add(member);
    errors.push({ path: member ? `${path}.${member}` : path, message: validationMessage([violation]) });
  }
  for (const [member, value] of Object.entries(known)) {
    if (flagged.has(member)) continue;
    try {
      if (member === "FunctionName") checkFunctionName(value);
      else readSettings({ ...standIns, [member]: value }, undefined);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      errors.push({ path: `${path}.${member}`, message: error.message });
    }
  }
  return errors;
}

function lowerFirst(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1);
}

function suffixFor(ctx: ResourceContext): string {
  return createHash("sha256")
    .update(`${ctx.stackId}/${ctx.logicalId}`)
    .digest("base64url")
    .replace(/[^a-zA-Z0-9]/g, "")
    .slice(0, 12)
    .toUpperCase();
}

/** CloudFormation's `<stack>-<LogicalId>-<SUFFIX>`, cut to Lambda's 64 characters. */
function nameOf(props: Props, ctx: ResourceContext): string {
  if (props.FunctionName !== undefined) return checkFunctionName(props.FunctionName);
  const suffix = suffixFor(ctx);
  const head = `${ctx.stackName}-${ctx.logicalId}`.slice(0, 64 - suffix.length - 1);
  return `${head}-${suffix}`;
}

/** Numbers from parameters arrive as strings; CloudFormation turns them back into integers. */
export function integerOf(value: unknown): unknown {
  return typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
}

/** The CreateFunction input the properties mean. */
function settingsInput(type: string, props: Props, ctx: ResourceContext): Props {
  const role =
    props.Role ??
    (type === "AWS::Serverless::Function"
      ? `arn:aws:iam::${ctx.accountId}:role/${`${ctx.stackName}-${ctx.logicalId}Role`.slice(0, 50)}-${suffixFor(ctx)}`
      : undefined);
  return {
    Runtime: props.Runtime,
    Handler: props.Handler,
    Role: role,
    ...(props.Description !== undefined ? { Description: String(props.Description) } : {}),
    ...(props.Timeout !== undefined ? { Timeout: integerOf(props.Timeout) } : {}),
    ...(props.MemorySize !== undefined ? { MemorySize: integerOf(props.MemorySize) } : {}),
    ...(props.Environment !== undefined ? { Environment: props.Environment } : {}),
    ...(props.Architectures !== undefined ? { Architectures: props.Architectures } : {}),
    ...(props.EphemeralStorage !== undefined
      ? { EphemeralStorage: { Size: integerOf((props.EphemeralStorage as { Size?: unknown }).Size) } }
      : {}),
    ...(props.LoggingConfig !== undefined ? { LoggingConfig: props.LoggingConfig } : {}),
    // SAM's Tracing is CloudFormation's TracingConfig.Mode.
    ...(props.TracingConfig !== undefined
      ? { TracingConfig: props.TracingConfig }
      : props.Tracing !== undefined
        ? { TracingConfig: { Mode: props.Tracing } }
        : {}),
  };
}

/** How long a stack waits at most for an update made through the API to finish, as CloudFormation waits. */
const stabiliseMs = 60_000;

/** The earliest time a zip entry can carry. */
const inlineCodeTime = new Date(1980, 0, 1);

/** CloudFormation writes inline code to `index.js` or `index.py`, and takes it for those runtimes only. */
function inlinePackage(source: unknown, runtime: string, field: string): Buffer {
  if (typeof source !== "string" || source.length === 0)
    throw lambdaErrors.invalidParameter(`${field} must be the function's source code as a string`);
  const file = runtime.startsWith("python")
    ? "index.py"
    : runtime.startsWith("nodejs")
      ? "index.js"
      : undefined;
  if (file === undefined)
    throw lambdaErrors.invalidParameter(`${field} is only for Node.js and Python runtimes, not ${runtime}`);
  // A fixed time, so the same source is the same package, and a deploy that does not change it
  // does not send it again.
  const entry = { attrs: (0o100644 << 16) >>> 0, mtime: inlineCodeTime };
  return Buffer.from(zipSync({ [file]: [new TextEncoder().encode(source), entry] }));
}

const noS3 = (field: string) =>
  lambdaErrors.invalidParameter(
    `${field}: S3 locations are not supported; deploy with \`jeff deploy\`, which packages local code`,
  );

/** The code as CreateFunction and UpdateFunctionCode take it, and the hash of the package it names. */
interface CodeInput {
  readonly code: { readonly ZipFile: Buffer } | { readonly S3Bucket: string; readonly S3Key: string };
  readonly sha256: string;
}

const zipInput = (zip: Buffer): CodeInput => ({
  code: { ZipFile: zip },
  sha256: createHash("sha256").update(zip).digest("base64"),
});

/**
 * The deployment package the properties name: a package the CLI uploaded, named by its place in
 * Jeff's bucket as a package in S3 is; or inline source, or (from earlier CLIs) a package on disk,
 * sent as a ZipFile.
 */
async function codeOf(
  type: string,
  props: Props,
  options: FunctionResourceOptions,
  accountId: string,
): Promise<CodeInput> {
  const runtime = String(props.Runtime);
  const field = type === "AWS::Serverless::Function" ? "CodeUri" : "Code";
  if (type === "AWS::Serverless::Function" && props.InlineCode !== undefined)
    return zipInput(inlinePackage(props.InlineCode, runtime, "InlineCode"));
  const code = props[field];
  if (typeof code === "string") {
    if (code.startsWith("s3://")) throw noS3(field);
    if (isPackageLocation(code)) {
      const sha256 = await keptPackage(options.store, accountId, code, field);
      return { code: packageObject(sha256), sha256 };
    }
    return zipInput(await readPackage(options.packagesDir, code, field));
  }
  const { ZipFile } = (code ?? {}) as { ZipFile?: unknown };
  if (type === "AWS::Lambda::Function" && ZipFile !== undefined)
    return zipInput(inlinePackage(ZipFile, runtime, "Code.ZipFile"));
  if (code !== null && typeof code === "object") throw noS3(field);
  throw lambdaErrors.invalidParameter(`${field} must be a path to the function's code`);
}

/**
 * SAM's `Tags` is a map, and SAM adds `lambda:createdBy: SAM`; CloudFormation's is a list of
 * `{Key, Value}`. Either way the API's rules apply.
 */
function tagsOf(type: string, props: Props): Record<string, string> {
  const raw = props.Tags;
  if (type === "AWS::Serverless::Function") {
    return { ...(readTags(raw) ?? {}), "lambda:createdBy": "SAM" };
  }
  if (raw === undefined) return {};
  if (!Array.isArray(raw)) throw lambdaErrors.invalidParameter("Tags must be a list of {Key, Value}");
  const map: Record<string, unknown> = {};
  for (const tag of raw as Array<{ Key?: unknown; Value?: unknown } | null>) {
    if (typeof tag?.Key !== "string") throw lambdaErrors.invalidParameter("Each tag in Tags needs a Key");
    map[tag.Key] = tag.Value === undefined ? "" : String(tag.Value);
  }
  return readTags(map) ?? {};
}

function aliasOf(props: Props): string | undefined {
  return props.AutoPublishAlias === undefined ? undefined : checkAliasName(props.AutoPublishAlias);
}

const flag = (value: unknown) => value === true || value === "true";

/** SAM's EventInvokeConfig is the PutFunctionEventInvokeConfig input, with a `Type` beside each destination. */
function eventInvokeConfigOf(props: Props): Props | undefined {
  const raw = props.EventInvokeConfig as Props | undefined;
  if (raw === undefined) return undefined;
  const destinations = (raw.DestinationConfig ?? {}) as Record<string, { Destination?: unknown } | undefined>;
  const destinationConfig: Record<string, { Destination: unknown }> = {};
  for (const which of ["OnSuccess", "OnFailure"]) {
    const destination = destinations[which]?.Destination;
    if (destination !== undefined) destinationConfig[which] = { Destination: destination };
  }
  return {
    ...(raw.MaximumRetryAttempts !== undefined
      ? { MaximumRetryAttempts: integerOf(raw.MaximumRetryAttempts) }
      : {}),
    ...(raw.MaximumEventAgeInSeconds !== undefined
      ? { MaximumEventAgeInSeconds: integerOf(raw.MaximumEventAgeInSeconds) }
      : {}),
    DestinationConfig: destinationConfig,
  };
}

/**
 * What UpdateFunctionConfiguration is sent for a setting the template no longer gives, so that
 * removing it from the template puts Lambda's default back, as CloudFormation does.
 */
function defaultsFor(): Props {
  return {
    Description: "",
    Timeout: 3,
    MemorySize: 128,
    Environment: { Variables: {} },
    EphemeralStorage: { Size: 512 },
    TracingConfig: { Mode: "PassThrough" },
  };
}

/**
 * A template's `LoggingConfig` whole, Lambda's defaults filling what it leaves out: the API merges
 * a partial one into the current value, so a member the template dropped would otherwise stay.
 */
function wholeLoggingConfig(given: unknown, name: string): Props {
  const logging = (given ?? {}) as Props;
  const format = logging.LogFormat ?? "Text";
  return {
    LogFormat: format,
    LogGroup: logging.LogGroup ?? `/aws/lambda/${name}`,
    ...(format === "JSON"
      ? {
          ApplicationLogLevel: logging.ApplicationLogLevel ?? "INFO",
          SystemLogLevel: logging.SystemLogLevel ?? "INFO",
        }
      : {}),
  };
}

function functionHandler(type: string, options: FunctionResourceOptions): ResourceHandler<Props> {
  /** Lambda's operations, called as CloudFormation calls them, on the stack's caller's behalf. */
  const lambda = stackLambdaCalls(options.calls, options.service);

  /**
   * Everything the properties say that can be checked without a call, checked before the first
   * call, so that a template's own mistake changes nothing.
   */
  const check = (props: Props, ctx: ResourceContext) => {
    readSettings(settingsInput(type, props, ctx), undefined);
    const raw = props.ReservedConcurrentExecutions;
    const reserved = raw === undefined ? undefined : readReservedConcurrency(integerOf(raw));
    const invokeConfig = eventInvokeConfigOf(props);
    if (invokeConfig) readEventInvokeConfig(invokeConfig, ctx);
    return { reserved, invokeConfig, tags: tagsOf(type, props), alias: aliasOf(props) };
  };

  /**
   * The function's configuration once an update someone made through the API is no longer
   * InProgress, as CloudFormation waits for a function to stabilise before changing it. A stack's
   * own calls leave no update in progress: they complete at once.
   */
  const stable = async (ctx: ResourceContext, name: string): Promise<LambdaAnswer> => {
    const deadline = Date.now() + stabiliseMs;
    for (;;) {
      const current = await lambda(ctx, "GetFunctionConfiguration", { FunctionName: name });
      if (current.LastUpdateStatus !== "InProgress" || Date.now() > deadline) return current;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const result = (answer: LambdaAnswer, name: string, ctx: ResourceContext) => ({
    physicalId: name,
    attributes: { Arn: typeof answer.FunctionArn === "string" ? answer.FunctionArn : functionArn(ctx, name) },
  });

  /**
   * What follows a write of `$LATEST`: with AutoPublishAlias a new version when SAM would make one
   * (the code, Environment or MemorySize changed, AutoPublishCodeSha256 changed, or anything
   * changed under AutoPublishAliasAllProperties) with the alias moved to it; then the
   * EventInvokeConfig, on the alias when there is one, as SAM puts it.
   */
  const afterWrite = async (
    ctx: ResourceContext,
    name: string,
    props: Props,
    previous: Props | undefined,
    invokeConfig: Props | undefined,
  ) => {
    const alias = aliasOf(props);
    const previousAlias = previous ? aliasOf(previous) : undefined;
    if (previousAlias !== undefined && previousAlias !== alias) {
      // DeleteAlias takes the alias's EventInvokeConfig with it.
      await lambda(ctx, "DeleteAlias", { FunctionName: name, Name: previousAlias });
    }
    if (alias !== undefined) await publishForAlias(ctx, name, alias, props, previous);
    const qualifier = alias ?? "$LATEST";
    // The configuration the template put before goes when the template drops it or moves it to
    // another qualifier (a deleted alias took its own with it); those the API put stay.
    const before = previous === undefined ? undefined : (previousAlias ?? "$LATEST");
    const aliasGone = previousAlias !== undefined && previousAlias !== alias;
    if (
      previous?.EventInvokeConfig !== undefined &&
      !aliasGone &&
      (invokeConfig === undefined || before !== qualifier)
    )
      await lambda.unlessGone(ctx, "DeleteFunctionEventInvokeConfig", {
        FunctionName: name,
        Qualifier: before,
      });
    if (invokeConfig)
      await lambda(ctx, "PutFunctionEventInvokeConfig", {
        FunctionName: name,
        Qualifier: qualifier,
        ...invokeConfig,
      });
  };

  const publishForAlias = async (
    ctx: ResourceContext,
    name: string,
    alias: string,
    props: Props,
    previous: Props | undefined,
  ) => {
    const current = await lambda.unlessGone(ctx, "GetAlias", { FunctionName: name, Name: alias });
    const version = typeof current.FunctionVersion === "string" ? current.FunctionVersion : undefined;
    const published =
      version === undefined || version === "$LATEST"
        ? undefined
        : await lambda.unlessGone(ctx, "GetFunctionConfiguration", {
            FunctionName: name,
            Qualifier: version,
          });
    const latest = await lambda(ctx, "GetFunctionConfiguration", { FunctionName: name });
    const trigger = (configuration: LambdaAnswer) =>
      JSON.stringify([
        configuration.CodeSha256,
        configuration.MemorySize,
        sortedVariables(
          ((configuration.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ??
            {}) as Record<string, string>,
        ),
      ]);
    const needed =
      published?.Version === undefined ||
      flag(props.AutoPublishAliasAllProperties) ||
      (previous !== undefined && previous.AutoPublishCodeSha256 !== props.AutoPublishCodeSha256) ||
      trigger(published) !== trigger(latest);
    if (!needed) return;
    // The code just compared, as SAM's AWS::Lambda::Version names it: a change made meanwhile
    // through the API is refused rather than published under the template's name.
    const made = await lambda(ctx, "PublishVersion", {
      FunctionName: name,
      CodeSha256: latest.CodeSha256,
      ...(props.VersionDescription !== undefined ? { Description: String(props.VersionDescription) } : {}),
    });
    await lambda(ctx, version === undefined ? "CreateAlias" : "UpdateAlias", {
      FunctionName: name,
      Name: alias,
      FunctionVersion: made.Version,
    });
  };

  /** The tags a template change adds, changes and removes, as TagResource and UntagResource. */
  const retag = async (
    ctx: ResourceContext,
    arn: string,
    tags: Record<string, string>,
    before: Record<string, string>,
  ) => {
    const removed = Object.keys(before).filter((key) => !(key in tags));
    if (removed.length > 0) await lambda(ctx, "UntagResource", { Resource: arn, TagKeys: removed });
    const changed = Object.entries(tags).filter(([key, value]) => before[key] !== value);
    if (changed.length > 0)
      await lambda(ctx, "TagResource", { Resource: arn, Tags: Object.fromEntries(changed) });
  };

  return {
    type,
    attributes: ["Arn"],
    validateProperties: (props, path) => validate(type, props, path),
    replaceOnChange: ["FunctionName"],
    physicalIdFor: (props, ctx) => nameOf(props, ctx),
    async create(props, ctx) {
      const name = nameOf(props, ctx);
      const { reserved, invokeConfig, tags } = check(props, ctx);
      const { code } = await codeOf(type, props, options, ctx.accountId);
      const created = await lambda(ctx, "CreateFunction", {
        FunctionName: name,
        ...settingsInput(type, props, ctx),
        Code: code,
        ...(Object.keys(tags).length > 0 ? { Tags: tags } : {}),
      });
      try {
        if (reserved !== undefined)
          await lambda(ctx, "PutFunctionConcurrency", {
            FunctionName: name,
            ReservedConcurrentExecutions: reserved,
          });
        await afterWrite(ctx, name, props, undefined, invokeConfig);
      } catch (error) {
        // A create that fails leaves nothing behind (the stack engine deletes nothing of it), so
        // the function made by the first call goes with the step that failed; the step's own
        // error is what the stack reports, whatever the clean-up meets.
        await lambda.unlessGone(ctx, "DeleteFunction", { FunctionName: name }).catch(() => {});
        throw error;
      }
      return result(created, name, ctx);
    },
    async update(physicalId, props, previous, ctx) {
      const name = physicalId;
      const { reserved, invokeConfig, tags } = check(props, ctx);
      const { code, sha256 } = await codeOf(type, props, options, ctx.accountId);
      // First the step most likely to be refused (the account's unreserved minimum), before any
      // other change; a later failure is undone by the stack's rollback.
      if (reserved !== undefined)
        await lambda(ctx, "PutFunctionConcurrency", {
          FunctionName: name,
          ReservedConcurrentExecutions: reserved,
        });
      const current = await stable(ctx, name);
      const settings = settingsInput(type, props, ctx);
      const { Architectures: architectures, ...configuration } = settings;
      const before = settingsInput(type, previous, ctx);
      // A setting the template dropped goes back to Lambda's default.
      const defaults = defaultsFor();
      for (const member of Object.keys(before)) {
        if (!(member in settings) && member in defaults) configuration[member] = defaults[member];
      }
      if (settings.LoggingConfig !== undefined || before.LoggingConfig !== undefined)
        configuration.LoggingConfig = wholeLoggingConfig(settings.LoggingConfig, name);
      const architecturesNow = architectures ?? ["x86_64"];
      // UpdateFunctionCode, only when the code or the architecture it is built for changed.
      if (
        current.CodeSha256 !== sha256 ||
        JSON.stringify(current.Architectures) !== JSON.stringify(architecturesNow)
      )
        await lambda(ctx, "UpdateFunctionCode", {
          FunctionName: name,
          ...code,
          Architectures: architecturesNow,
        });
      const updated = await lambda(ctx, "UpdateFunctionConfiguration", {
        FunctionName: name,
        ...configuration,
      });
      const arn = typeof updated.FunctionArn === "string" ? updated.FunctionArn : functionArn(ctx, name);
      await retag(ctx, arn, tags, tagsOf(type, previous));
      if (reserved === undefined && previous.ReservedConcurrentExecutions !== undefined)
        await lambda(ctx, "DeleteFunctionConcurrency", { FunctionName: name });
      await afterWrite(ctx, name, props, previous, invokeConfig);
      return result(updated, name, ctx);
    },
    async delete(physicalId, _props, ctx) {
      // Already gone is fine: a recovered delete may run twice.
      await lambda.unlessGone(ctx, "DeleteFunction", { FunctionName: physicalId });
    },
  };
}

/** The handlers for both function types; register each with the resource registry. */
export function functionResources(options: FunctionResourceOptions): ResourceHandler<Props>[] {
  return [
    functionHandler("AWS::Lambda::Function", options),
    functionHandler("AWS::Serverless::Function", options),
  ];
}
