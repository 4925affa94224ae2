/**
 * The Lambda API (restJson1, `/2015-03-31/…`) for managing functions: create, describe, list,
 * update code and configuration, delete; versions and aliases have their own route files.
 */
import { randomUUID } from "node:crypto";
import {
  type CallTransaction,
  lambdaModel,
  mutates,
  noResources,
  type RequestContext,
  type RestJsonService,
  type RestRequest,
  type RestRoute,
  reads,
} from "../../protocol/index.js";
import { type Store, StoreConflictError } from "../../store/index.js";
import { codeLimits, keepCode, packageBucket, packageInBucket } from "../code/index.js";
import type { Invoke } from "../invoke.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  asJustCreated,
  asJustUpdated,
  checkFunctionName,
  checkReservation,
  codeFieldsOf,
  deleteFunctionOrVersion,
  describeFunction,
  type FunctionCache,
  type FunctionRecord,
  type FunctionScope,
  findFunction,
  functionArn,
  insertFunction,
  newFunctionRecord,
  parseFunctionName,
  publishLatest,
  type ResolveOptions,
  readReservedConcurrency,
  readSettings,
  readTags,
  referenceOf,
  refuseWhileUpdating,
  replaceFunction,
  resolveTarget,
  versionArn,
  versionsCodeSize,
} from "../records/index.js";
import { aliasRoutes } from "./alias-routes.js";
import { eventInvokeConfigRoutes } from "./event-invoke-config-routes.js";
import { listFunctionEntries, readFunctionVersion } from "./function-listing.js";
import { invokeRoute } from "./invoke-route.js";
import {
  functionWrites,
  inCallersScope,
  jsonBody,
  nextMarker,
  onFunction,
  pageOf,
  scopeOf,
} from "./lambda-request.js";
import { permissionRoutes } from "./permission-routes.js";
import { recursionRoutes } from "./recursion-routes.js";
import { tagRoutes } from "./tag-routes.js";
import { versionRoutes } from "./version-routes.js";

export interface LambdaServiceOptions {
  readonly store: Store;
  /** Where unpacked code lives: `<codeRoot>/<account>/<sha256>/`. */
  readonly codeRoot: string;
  /** Runs or queues invocations: the subsystem's one path, which Invoke takes too. */
  readonly invoke: Invoke;
  /** Invocations in flight across the account at most (Lambda's default is 1,000). */
  readonly accountConcurrency: number;
  /**
   * How long UpdateFunctionCode and UpdateFunctionConfiguration stay InProgress (0: no time), during
   * which another update or PublishVersion is refused, as on Lambda.
   */
  readonly updateMs?: number;
  /**
   * GetFunction's `Code.Location`: where the caller can download the package for ten minutes (a
   * URL presigned with its own key), or undefined when there is no such URL to give.
   */
  readonly codeLocation?: (request: CodeLocationRequest) => Promise<string | undefined>;
  /** This node's copies of functions, which Invoke reads its function from; the store without. */
  readonly functions?: FunctionCache;
}

export interface CodeLocationRequest {
  readonly caller: RequestContext["caller"];
  readonly region: string;
  /**
   * How the caller reached Jeff (`http://HOST`, or `https://HOST` behind a proxy that says so in
   * X-Forwarded-Proto), or undefined without a Host header.
   */
  readonly origin: string | undefined;
  /** The package's hash, base64 as Lambda reports it. */
  readonly codeSha256: string;
}

/** The scheme and host the caller used, as the request says them; undefined without a Host. */
function originOf(req: RestRequest): string | undefined {
  const host = req.headers.host;
  if (typeof host !== "string" || host === "") return undefined;
  const forwarded = req.headers["x-forwarded-proto"];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim().toLowerCase();
  return `${proto === "https" ? "https" : "http"}://${host}`;
}

/** A FunctionName path parameter (a name, a full ARN or a partial one) without its qualifier. */
export function functionNameOf(raw: string): string {
  return parseFunctionName(raw).name;
}

/** `Publish: true` on CreateFunction and UpdateFunctionCode. */
function publishFlag(input: Record<string, unknown>): boolean {
  if (input.Publish === undefined) return false;
  if (typeof input.Publish !== "boolean")
    throw lambdaErrors.validation("publish", input.Publish, "Member must be a boolean");
  return input.Publish;
}

/**
 * The package a request's code names: a base64 `ZipFile`, or an `S3Bucket`/`S3Key` pair naming a
 * package kept in Jeff's own bucket (`packageObject`). `field` is where the ZipFile would be.
 */
function codeFrom(store: Store, accountId: string, code: unknown, field: string): Promise<Buffer> {
  const given = (code ?? {}) as { ZipFile?: unknown; S3Bucket?: unknown; S3Key?: unknown };
  if (given.S3Bucket !== undefined || given.S3Key !== undefined) {
    if (given.ZipFile !== undefined)
      throw lambdaErrors.invalidParameter(
        "Please provide a source for function code: either a ZipFile or an S3 location, not both.",
      );
    return packageInBucket(store, accountId, given.S3Bucket, given.S3Key);
  }
  const zipFile = given.ZipFile;
  if (typeof zipFile !== "string" || zipFile.length === 0) {
    throw lambdaErrors.invalidParameter(
      `${field} is required: Jeff takes a function's code as a base64 .zip, or as S3Bucket ${packageBucket} and the S3Key of a package kept in Jeff (images are not supported)`,
    );
  }
  return Promise.resolve(Buffer.from(zipFile, "base64"));
}

export function createLambdaService(options: LambdaServiceOptions): RestJsonService {
  const { store } = options;
  const updateMs = options.updateMs ?? 0;

  const existing = async (scope: FunctionScope, raw: string): Promise<FunctionRecord> => {
    const name = functionNameOf(raw);
    const found = await findFunction(store, scope, name);
    if (!found) throw lambdaErrors.notFound(functionArn(scope, name));
    return found;
  };

  /**
   * Applies `change` to a function's $LATEST unless someone else changed it meanwhile (or RevisionId
   * says otherwise), and publishes the result as a version when asked to, all in one transaction.
   * An update of the code or configuration (`how.update`) is refused while the last one is still
   * InProgress, and is itself InProgress for `updateMs`, as on Lambda; a change of the function's
   * reserved concurrency is neither.
   */
  const update = async (
    transaction: CallTransaction,
    scope: FunctionScope,
    raw: string,
    expectedRevision: unknown,
    change: (current: FunctionRecord) => Promise<FunctionRecord>,
    how: { readonly update: boolean; readonly publish?: boolean },
  ) => {
    const current = await existing(scope, raw);
    if (how.update) refuseWhileUpdating(current);
    if (expectedRevision !== undefined && expectedRevision !== current.revisionId) {
      throw lambdaErrors.preconditionFailed();
    }
    const { updateEndsAt: _previous, ...changed } = await change(current);
    const lastModified = new Date();
    const updateEndsAt = how.update ? lastModified.getTime() + updateMs : current.updateEndsAt;
    const next: FunctionRecord = {
      ...changed,
      revisionId: randomUUID(),
      lastModified,
      ...(updateEndsAt !== undefined && updateMs > 0 ? { updateEndsAt } : {}),
    };
    const publish = how.publish === true;
    return transaction(async (tx) => {
      if (!(await replaceFunction(tx, scope, next, current.revisionId)))
        throw lambdaErrors.preconditionFailed();
      // Answered as Lambda answers an update: in progress, or a version being created.
      if (!publish) return asJustUpdated(describeFunction(next));
      const published = await publishLatest(tx, scope, next, undefined);
      return asJustCreated(
        describeFunction(published.record, String(published.version), versionArn(published)),
      );
    });
  };

  /** How Invoke resolves its function: by alias weights, from the node's copies where there are any. */
  const invokeResolution: ResolveOptions = {
    route: true,
    missingAs: "$LATEST",
    ...(options.functions ? { functions: options.functions } : {}),
  };

  /** The function, version or alias a request names (FunctionName and Qualifier together). */
  const targetOf = (req: RestRequest, ctx: RequestContext, resolve: ResolveOptions = {}) =>
    resolveTarget(
      store,
      scopeOf(ctx),
      referenceOf(req.pathParams.FunctionName!, req.query.get("Qualifier")),
      resolve,
    );

  return {
    signingName: "lambda",
    model: lambdaModel,
    protocol: "restJson1",
    routes: (
      [
        ...versionRoutes(store),
        ...tagRoutes(store),
        ...aliasRoutes(store),
        ...eventInvokeConfigRoutes(store),
        ...recursionRoutes(store),
        ...permissionRoutes(store),
        {
          method: "POST",
          path: "/2015-03-31/functions",
          operation: "CreateFunction",
          maxBodyBytes: codeLimits.requestBytes,

          ...functionWrites.CreateFunction,
          handler: async (req, ctx) => {
            const input = jsonBody(req);
            const scope = scopeOf(ctx);
            const name = checkFunctionName(input.FunctionName);
            if ((input.PackageType ?? "Zip") !== "Zip")
              throw lambdaErrors.invalidParameter("Jeff runs .zip packages only (PackageType Zip)");
            const settings = readSettings(input, undefined);
            const tags = readTags(input.Tags) ?? {};
            const publish = publishFlag(input);
            const zip = await codeFrom(store, scope.accountId, input.Code, "Code.ZipFile");
            if (await findFunction(store, scope, name)) throw lambdaErrors.alreadyExists(name);
            const code = await keepCode(store, options.codeRoot, scope.accountId, zip);
            const record = newFunctionRecord(scope, name, { ...settings, tags }, code);
            try {
              const body = await ctx.transaction(async (tx) => {
                await insertFunction(tx, scope, record);
                if (!publish) return asJustCreated(describeFunction(record));
                const published = await publishLatest(tx, scope, record, undefined);
                return asJustCreated(
                  describeFunction(published.record, String(published.version), versionArn(published)),
                );
              });
              return { status: 201, body };
            } catch (error) {
              if (error instanceof StoreConflictError) throw lambdaErrors.alreadyExists(name);
              throw error;
            }
          },
        },
        {
          method: "GET",
          path: "/2015-03-31/functions",
          operation: "ListFunctions",

          ...reads("lambda:ListFunctions", noResources),
          handler: async (req, ctx) => {
            const allVersions = readFunctionVersion(req.query.get("FunctionVersion"));
            const { limit, after } = pageOf(req);
            const page = await listFunctionEntries(store, scopeOf(ctx), after, limit + 1, allVersions);
            return {
              body: {
                Functions: page.slice(0, limit).map((entry) => entry.body),
                ...nextMarker(page, limit, (entry) => entry.position),
              },
            };
          },
        },
        {
          method: "GET",
          path: "/2015-03-31/functions/{FunctionName}",
          operation: "GetFunction",

          ...reads("lambda:GetFunction", onFunction),
          handler: async (req, ctx) => {
            const target = await targetOf(req, ctx);
            const location = await options.codeLocation?.({
              caller: ctx.caller,
              region: ctx.region,
              origin: originOf(req),
              codeSha256: target.record.codeSha256,
            });
            return {
              body: {
                Configuration: describeFunction(target.record, target.version, target.arn),
                Code: { RepositoryType: "S3", ...(location === undefined ? {} : { Location: location }) },
                ...(Object.keys(target.fn.tags).length > 0 ? { Tags: target.fn.tags } : {}),
                ...(target.fn.reservedConcurrency !== undefined
                  ? { Concurrency: { ReservedConcurrentExecutions: target.fn.reservedConcurrency } }
                  : {}),
              },
            };
          },
        },
        {
          method: "GET",
          path: "/2015-03-31/functions/{FunctionName}/configuration",
          operation: "GetFunctionConfiguration",

          ...reads("lambda:GetFunctionConfiguration", onFunction),
          handler: async (req, ctx) => {
            const target = await targetOf(req, ctx);
            return { body: describeFunction(target.record, target.version, target.arn) };
          },
        },
        {
          method: "PUT",
          path: "/2015-03-31/functions/{FunctionName}/code",
          operation: "UpdateFunctionCode",
          maxBodyBytes: codeLimits.requestBytes,

          ...mutates("lambda:UpdateFunctionCode", onFunction),
          handler: async (req, ctx) => {
            const input = jsonBody(req);
            const scope = scopeOf(ctx);
            const zip = await codeFrom(store, scope.accountId, input, "ZipFile");
            const publish = publishFlag(input);
            const body = await update(
              ctx.transaction,
              scope,
              req.pathParams.FunctionName!,
              input.RevisionId,
              async (current) => {
                const code = await keepCode(store, options.codeRoot, scope.accountId, zip);
                // UpdateFunctionCode also takes the architecture the new code is built for.
                const architecture =
                  input.Architectures === undefined
                    ? {}
                    : { options: readSettings({ Architectures: input.Architectures }, current).options };
                return { ...current, ...codeFieldsOf(code), ...architecture };
              },
              { update: true, publish },
            );
            return { body };
          },
        },
        {
          method: "PUT",
          path: "/2015-03-31/functions/{FunctionName}/configuration",
          operation: "UpdateFunctionConfiguration",

          ...functionWrites.UpdateFunctionConfiguration,
          handler: async (req, ctx) => {
            const input = jsonBody(req);
            const body = await update(
              ctx.transaction,
              scopeOf(ctx),
              req.pathParams.FunctionName!,
              input.RevisionId,
              async (current) => ({
                ...current,
                ...readSettings(input, current),
              }),
              { update: true },
            );
            return { body };
          },
        },
        {
          method: "DELETE",
          path: "/2015-03-31/functions/{FunctionName}",
          operation: "DeleteFunction",

          ...functionWrites.DeleteFunction,
          handler: async (req, ctx) => {
            const scope = scopeOf(ctx);
            const reference = referenceOf(req.pathParams.FunctionName!, req.query.get("Qualifier"));
            await ctx.transaction((tx) => deleteFunctionOrVersion(tx, scope, reference));
            return { status: 204 };
          },
        },
        {
          method: "POST",
          path: "/2015-03-31/functions/{FunctionName}/invocations",
          operation: "Invoke",
          ...functionWrites.Invoke,
          payload: "Payload",
          handler: async (req, ctx) => {
            const target = await targetOf(req, ctx, invokeResolution);
            return invokeRoute(options.invoke, target, req, ctx);
          },
        },
        {
          method: "PUT",
          path: "/2017-10-31/functions/{FunctionName}/concurrency",
          operation: "PutFunctionConcurrency",

          ...mutates("lambda:PutFunctionConcurrency", onFunction),
          handler: async (req, ctx) => {
            const input = jsonBody(req);
            const value = readReservedConcurrency(input.ReservedConcurrentExecutions);
            const scope = scopeOf(ctx);
            const record = await existing(scope, req.pathParams.FunctionName!);
            await checkReservation(store, scope, record.name, value, options.accountConcurrency);
            await update(
              ctx.transaction,
              scope,
              record.name,
              undefined,
              async (current) => ({ ...current, reservedConcurrency: value }),
              { update: false },
            );
            return { body: { ReservedConcurrentExecutions: value } };
          },
        },
        {
          method: "GET",
          path: "/2019-09-30/functions/{FunctionName}/concurrency",
          operation: "GetFunctionConcurrency",

          ...reads("lambda:GetFunctionConcurrency", onFunction),
          handler: async (req, ctx) => {
            const record = await existing(scopeOf(ctx), req.pathParams.FunctionName!);
            return {
              body:
                record.reservedConcurrency !== undefined
                  ? { ReservedConcurrentExecutions: record.reservedConcurrency }
                  : {},
            };
          },
        },
        {
          method: "DELETE",
          path: "/2017-10-31/functions/{FunctionName}/concurrency",
          operation: "DeleteFunctionConcurrency",

          ...mutates("lambda:DeleteFunctionConcurrency", onFunction),
          handler: async (req, ctx) => {
            await update(
              ctx.transaction,
              scopeOf(ctx),
              req.pathParams.FunctionName!,
              undefined,
              async ({ reservedConcurrency: _dropped, ...current }) => current,
              { update: false },
            );
            return { status: 204 };
          },
        },
        {
          method: "GET",
          path: "/2016-08-19/account-settings",
          operation: "GetAccountSettings",

          ...reads("lambda:GetAccountSettings", noResources),
          handler: async (_req, ctx) => {
            const row = await store.get<{ count: number; size: number; reserved: number }>(
              "SELECT COUNT(*) AS count, COALESCE(SUM(code_size), 0) AS size, COALESCE(SUM(reserved_concurrency), 0) AS reserved FROM lambda_functions WHERE account_id = ?",
              [ctx.caller.accountId],
            );
            return {
              body: {
                AccountLimit: {
                  TotalCodeSize: 80_530_636_800,
                  CodeSizeUnzipped: 262_144_000,
                  CodeSizeZipped: 52_428_800,
                  ConcurrentExecutions: options.accountConcurrency,
                  UnreservedConcurrentExecutions: options.accountConcurrency - Number(row?.reserved ?? 0),
                },
                AccountUsage: {
                  TotalCodeSize:
                    Number(row?.size ?? 0) + (await versionsCodeSize(store, ctx.caller.accountId)),
                  FunctionCount: Number(row?.count ?? 0),
                },
              },
            };
          },
        },
      ] satisfies RestRoute[]
    ).map(inCallersScope),
  };
}
