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
 */
import { createHash, randomUUID } from "node:crypto";
import { zipSync } from "fflate";
import { callForStack } from "../../operations/index.js";
import {
  AwsError,
  type CallTransaction,
  findValidationErrors,
  lambdaModel,
  type OperationRunner,
  type OperationTraits,
  validationMessage,
} from "../../protocol/index.js";
import { type SqlExecutor, type Store, StoreConflictError } from "../../store/index.js";
import {
  expandedSamEventTypes,
  isFunctionCall,
  type ResourceContext,
  type ResourceHandler,
  type TemplateError,
} from "../../templates/index.js";
import { isPackageLocation, keepCode, readPackage, uploadedPackage } from "../code/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  checkAliasName,
  checkFunctionName,
  checkReservation,
  codeFieldsOf,
  deleteAlias,
  deleteEventInvokeConfig,
  deleteFunctionOrVersion,
  describeFunction,
  type EventInvokeConfig,
  type FunctionRecord,
  type FunctionScope,
  findAlias,
  findFunction,
  findVersion,
  functionArn,
  insertFunction,
  isVersionNumber,
  newFunctionRecord,
  publishLatest,
  putEventInvokeConfig,
  readEventInvokeConfig,
  readReservedConcurrency,
  readSettings,
  readTags,
  replaceFunction,
  saveAlias,
  saveTags,
  sortedVariables,
} from "../records/index.js";
import { functionWrites } from "./lambda-request.js";

export interface FunctionResourceOptions {
  readonly store: Store;
  /** Where unpacked code lives: `<codeRoot>/<account>/<sha256>/`, as for the Lambda API. */
  readonly codeRoot: string;
  /**
   * Where earlier CLIs wrote packages, the only folder a template's code path may point into
   * (`package-store.ts`); today's CLI uploads them and names them `jeff://packages/…`.
   */
  readonly packagesDir: string;
  readonly accountConcurrency: number;
  /** The call path: a stack's changes to functions are Lambda calls made on its caller's behalf. */
  readonly calls: OperationRunner;
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
function integerOf(value: unknown): unknown {
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
  return Buffer.from(
    zipSync({ [file]: [new TextEncoder().encode(source), { attrs: (0o100644 << 16) >>> 0 }] }),
  );
}

const noS3 = (field: string) =>
  lambdaErrors.invalidParameter(
    `${field}: S3 locations are not supported; deploy with \`jeff deploy\`, which packages local code`,
  );

/** The deployment package the properties name: inline source, or a package the CLI uploaded (or, from earlier CLIs, wrote to disk). */
async function packageOf(
  type: string,
  props: Props,
  options: FunctionResourceOptions,
  accountId: string,
): Promise<Buffer> {
  const runtime = String(props.Runtime);
  const field = type === "AWS::Serverless::Function" ? "CodeUri" : "Code";
  if (type === "AWS::Serverless::Function" && props.InlineCode !== undefined)
    return inlinePackage(props.InlineCode, runtime, "InlineCode");
  const code = props[field];
  if (typeof code === "string") {
    if (code.startsWith("s3://")) throw noS3(field);
    if (isPackageLocation(code)) return uploadedPackage(options.store, accountId, code, field);
    return readPackage(options.packagesDir, code, field);
  }
  const { ZipFile } = (code ?? {}) as { ZipFile?: unknown };
  if (type === "AWS::Lambda::Function" && ZipFile !== undefined)
    return inlinePackage(ZipFile, runtime, "Code.ZipFile");
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
function eventInvokeConfigOf(props: Props, scope: FunctionScope): EventInvokeConfig | undefined {
  const raw = props.EventInvokeConfig as Props | undefined;
  if (raw === undefined) return undefined;
  const destinations = (raw.DestinationConfig ?? {}) as Record<string, { Destination?: unknown } | undefined>;
  const destinationConfig: Record<string, { Destination: unknown }> = {};
  for (const which of ["OnSuccess", "OnFailure"]) {
    const destination = destinations[which]?.Destination;
    if (destination !== undefined) destinationConfig[which] = { Destination: destination };
  }
  return readEventInvokeConfig(
    {
      ...(raw.MaximumRetryAttempts !== undefined
        ? { MaximumRetryAttempts: integerOf(raw.MaximumRetryAttempts) }
        : {}),
      ...(raw.MaximumEventAgeInSeconds !== undefined
        ? { MaximumEventAgeInSeconds: integerOf(raw.MaximumEventAgeInSeconds) }
        : {}),
      DestinationConfig: destinationConfig,
    },
    scope,
  );
}

function functionHandler(type: string, options: FunctionResourceOptions): ResourceHandler<Props> {
  const { store } = options;
  const scopeOf = (ctx: ResourceContext): FunctionScope => ({ accountId: ctx.accountId, region: ctx.region });

  /** Everything the properties say, checked before anything is written. */
  const read = async (props: Props, ctx: ResourceContext, name: string) => {
    const settings = readSettings(settingsInput(type, props, ctx), undefined);
    const raw = props.ReservedConcurrentExecutions;
    const reserved = raw === undefined ? undefined : readReservedConcurrency(integerOf(raw));
    if (reserved !== undefined)
      await checkReservation(store, scopeOf(ctx), name, reserved, options.accountConcurrency);
    const invokeConfig = eventInvokeConfigOf(props, scopeOf(ctx));
    const tags = tagsOf(type, props);
    aliasOf(props);
    const code = await keepCode(
      store,
      options.codeRoot,
      ctx.accountId,
      await packageOf(type, props, options, ctx.accountId),
    );
    return { settings: { ...settings, tags }, reserved, invokeConfig, code };
  };

  const result = (record: FunctionRecord) => ({ physicalId: record.name, attributes: { Arn: record.arn } });

  /**
   * What follows a write of `$LATEST`, in the same transaction: the tags, and with
   * AutoPublishAlias a new version when SAM would make one (the code, Environment or MemorySize
   * changed, AutoPublishCodeSha256 changed, or anything changed under
   * AutoPublishAliasAllProperties) with the alias moved to it; then the EventInvokeConfig, on the
   * alias when there is one, as SAM puts it. Configurations the API set on other qualifiers stay.
   */
  const afterWrite = async (
    tx: SqlExecutor,
    scope: FunctionScope,
    record: FunctionRecord,
    props: Props,
    previous: Props | undefined,
    invokeConfig: EventInvokeConfig | undefined,
  ) => {
    await saveTags(tx, scope, record.name, record.tags);
    const alias = aliasOf(props);
    const previousAlias = previous ? aliasOf(previous) : undefined;
    if (previousAlias !== undefined && previousAlias !== alias) {
      await deleteAlias(tx, scope, record.name, previousAlias);
      await deleteEventInvokeConfig(tx, scope, record.name, previousAlias);
    }
    if (alias !== undefined && (await needsVersion(tx, scope, record, alias, props, previous))) {
      const description =
        props.VersionDescription === undefined ? undefined : String(props.VersionDescription);
      const published = await publishLatest(tx, scope, record, description);
      await saveAlias(tx, scope, record.name, {
        name: alias,
        functionVersion: String(published.version),
        description: "",
      });
    }
    const qualifier = alias ?? "$LATEST";
    if (qualifier !== "$LATEST") await deleteEventInvokeConfig(tx, scope, record.name, "$LATEST");
    if (invokeConfig) await putEventInvokeConfig(tx, scope, record.name, qualifier, invokeConfig);
    else await deleteEventInvokeConfig(tx, scope, record.name, qualifier);
  };

  const needsVersion = async (
    tx: SqlExecutor,
    scope: FunctionScope,
    record: FunctionRecord,
    alias: string,
    props: Props,
    previous: Props | undefined,
  ): Promise<boolean> => {
    const current = await findAlias(tx, scope, record.name, alias);
    const version =
      current && isVersionNumber(current.functionVersion) ? Number(current.functionVersion) : undefined;
    const published = version === undefined ? undefined : await findVersion(tx, scope, record, version);
    if (!published) return true;
    if (flag(props.AutoPublishAliasAllProperties)) return true;
    if (previous && previous.AutoPublishCodeSha256 !== props.AutoPublishCodeSha256) return true;
    const trigger = (r: FunctionRecord) =>
      JSON.stringify([r.codeSha256, r.memorySize, sortedVariables(r.environment)]);
    return trigger(published.record) !== trigger(record);
  };

  /** A change made as the Lambda call CloudFormation would make, on the stack's caller's behalf. */
  const asCloudFormation = <T>(
    ctx: ResourceContext,
    operation: string,
    traits: OperationTraits,
    name: string,
    props: Props,
    work: (transaction: CallTransaction) => Promise<T>,
  ) =>
    callForStack(
      options.calls,
      ctx,
      { service: "lambda", operation },
      traits,
      { ...props, FunctionName: name },
      work,
    );

  return {
    type,
    attributes: ["Arn"],
    validateProperties: (props, path) => validate(type, props, path),
    replaceOnChange: ["FunctionName"],
    physicalIdFor: (props, ctx) => nameOf(props, ctx),
    async create(props, ctx) {
      const scope = scopeOf(ctx);
      const name = nameOf(props, ctx);
      const { settings, reserved, invokeConfig, code } = await read(props, ctx, name);
      const record = newFunctionRecord(scope, name, settings, code, reserved);
      try {
        await asCloudFormation(
          ctx,
          "CreateFunction",
          functionWrites.CreateFunction,
          name,
          props,
          (transaction) =>
            transaction(async (tx) => {
              await insertFunction(tx, scope, record);
              await afterWrite(tx, scope, record, props, undefined, invokeConfig);
              return describeFunction(record);
            }),
        );
      } catch (error) {
        if (error instanceof StoreConflictError) throw lambdaErrors.alreadyExists(name);
        throw error;
      }
      return result(record);
    },
    async update(physicalId, props, previous, ctx) {
      const scope = scopeOf(ctx);
      const current = await findFunction(store, scope, physicalId);
      if (!current) throw lambdaErrors.notFound(functionArn(scope, physicalId));
      const { settings, reserved, invokeConfig, code } = await read(props, ctx, physicalId);
      // A stack's change completes before the stack goes on, as CloudFormation waits for the
      // function to stabilise: it leaves no update InProgress (and ends one the API started).
      const { reservedConcurrency: _old, updateEndsAt: _updating, ...kept } = current;
      const next: FunctionRecord = {
        ...kept,
        ...settings,
        ...codeFieldsOf(code),
        revisionId: randomUUID(),
        lastModified: new Date(),
        ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
      };
      await asCloudFormation(
        ctx,
        "UpdateFunctionConfiguration",
        functionWrites.UpdateFunctionConfiguration,
        physicalId,
        props,
        (transaction) =>
          transaction(async (tx) => {
            if (!(await replaceFunction(tx, scope, next, current.revisionId)))
              throw lambdaErrors.preconditionFailed();
            await afterWrite(tx, scope, next, props, previous, invokeConfig);
            return describeFunction(next);
          }),
      );
      return result(next);
    },
    async delete(physicalId, _props, ctx) {
      const scope = scopeOf(ctx);
      try {
        await asCloudFormation(
          ctx,
          "DeleteFunction",
          functionWrites.DeleteFunction,
          physicalId,
          {},
          (transaction) => transaction((tx) => deleteFunctionOrVersion(tx, scope, { name: physicalId })),
        );
      } catch (error) {
        // Already gone is fine: a recovered delete may run twice.
        if (error instanceof AwsError && error.code === "ResourceNotFoundException") return;
        throw error;
      }
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
