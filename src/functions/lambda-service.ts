/**
 * The Lambda API (restJson1, `/2015-03-31/…`) for managing functions: create, describe, list,
 * update code and configuration, delete.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import {
  commonErrors,
  type RequestContext,
  type RestJsonService,
  type RestRequest,
} from "../protocol/index.js";
import { type Store, StoreConflictError } from "../store/index.js";
import type { AsyncInvoker } from "./async-invoker.js";
import type { ConcurrencyGate } from "./concurrency-gate.js";
import type { EnvironmentPool } from "./environment-pool.js";
import {
  deleteEventInvokeConfig,
  describeEventInvokeConfig,
  findEventInvokeConfig,
  putEventInvokeConfig,
  readEventInvokeConfig,
} from "./event-invoke-config.js";
import { storeCode } from "./function-code.js";
import { checkFunctionName, readSettings } from "./function-config.js";
import type { FunctionMetrics } from "./function-metrics.js";
import {
  deleteFunction,
  describeFunction,
  type FunctionRecord,
  type FunctionScope,
  findFunction,
  functionArn,
  insertFunction,
  listFunctions,
  replaceFunction,
  reservedTotal,
} from "./function-records.js";
import { invokeFunction } from "./invoke.js";
import { lambdaErrors } from "./lambda-errors.js";

export interface LambdaServiceOptions {
  readonly store: Store;
  /** Where unpacked code lives: `<codeRoot>/<account>/<sha256>/`. */
  readonly codeRoot: string;
  /** Runs invocations. */
  readonly pool: EnvironmentPool;
  readonly gate: ConcurrencyGate;
  readonly asyncInvoker: AsyncInvoker;
  readonly metrics: FunctionMetrics;
  /** Invocations in flight across the account at most (Lambda's default is 1,000). */
  readonly accountConcurrency: number;
}

/** Lambda keeps this much of the account's concurrency unreserved. */
const minimumUnreserved = 100;

const scopeOf = (ctx: RequestContext): FunctionScope => ({
  accountId: ctx.caller.accountId,
  region: ctx.region,
});

function jsonBody(req: RestRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(req.body.toString("utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw commonErrors.serialization("The request body must be a JSON object.");
}

/** A FunctionName path parameter: a name, a full ARN or a partial one (`123456789012:function:name`). */
export function functionNameOf(raw: string): string {
  const match =
    /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?([a-zA-Z0-9-_]+)(?::[a-zA-Z0-9-_$]+)?$/.exec(
      raw,
    );
  if (!match) {
    throw lambdaErrors.validation(
      "functionName",
      raw,
      "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
    );
  }
  return match[1]!;
}

function zipFrom(code: unknown, field: string): Buffer {
  const zipFile = (code as { ZipFile?: unknown } | null | undefined)?.ZipFile;
  if (typeof zipFile !== "string" || zipFile.length === 0) {
    throw lambdaErrors.invalidParameter(
      `${field} is required: Jeff takes a function's code as a base64 .zip (S3 locations and images are not supported)`,
    );
  }
  return Buffer.from(zipFile, "base64");
}

export function createLambdaService(options: LambdaServiceOptions): RestJsonService {
  const { store } = options;
  const codeRootFor = (scope: FunctionScope) => join(options.codeRoot, scope.accountId);

  const existing = async (scope: FunctionScope, raw: string): Promise<FunctionRecord> => {
    const name = functionNameOf(raw);
    const found = await findFunction(store, scope, name);
    if (!found) throw lambdaErrors.notFound(functionArn(scope, name));
    return found;
  };

  /** Applies `change` to a function unless someone else changed it meanwhile (or RevisionId says otherwise). */
  const update = async (
    scope: FunctionScope,
    raw: string,
    expectedRevision: unknown,
    change: (current: FunctionRecord) => Promise<FunctionRecord>,
  ) => {
    const current = await existing(scope, raw);
    if (expectedRevision !== undefined && expectedRevision !== current.revisionId) {
      throw lambdaErrors.preconditionFailed();
    }
    const next = { ...(await change(current)), revisionId: randomUUID(), lastModified: new Date() };
    if (!(await replaceFunction(store, scope, next, current.revisionId)))
      throw lambdaErrors.preconditionFailed();
    return describeFunction(next);
  };

  return {
    signingName: "lambda",
    protocol: "restJson1",
    routes: [
      {
        method: "POST",
        path: "/2015-03-31/functions",
        operation: "CreateFunction",
        handler: async (req, ctx) => {
          const input = jsonBody(req);
          const scope = scopeOf(ctx);
          const name = checkFunctionName(input.FunctionName);
          if ((input.PackageType ?? "Zip") !== "Zip")
            throw lambdaErrors.invalidParameter("Jeff runs .zip packages only (PackageType Zip)");
          const settings = readSettings(input, undefined);
          const zip = zipFrom(input.Code, "Code.ZipFile");
          if (await findFunction(store, scope, name)) throw lambdaErrors.alreadyExists(name);
          const code = await storeCode(codeRootFor(scope), zip);
          const record: FunctionRecord = {
            ...settings,
            name,
            arn: functionArn(scope, name),
            codeDir: code.dir,
            codeSha256: code.sha256,
            codeSize: code.size,
            revisionId: randomUUID(),
            lastModified: new Date(),
          };
          try {
            await insertFunction(store, scope, record);
          } catch (error) {
            if (error instanceof StoreConflictError) throw lambdaErrors.alreadyExists(name);
            throw error;
          }
          return { status: 201, body: describeFunction(record) };
        },
      },
      {
        method: "GET",
        path: "/2015-03-31/functions",
        operation: "ListFunctions",
        handler: async (req, ctx) => {
          const maxItems = req.query.get("MaxItems");
          const limit = maxItems === null ? 50 : Number(maxItems);
          if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
            throw lambdaErrors.validation("maxItems", maxItems, "Member must have value between 1 and 10000");
          }
          const marker = req.query.get("Marker");
          const after = marker ? Buffer.from(marker, "base64url").toString("utf8") : "";
          const page = await listFunctions(store, scopeOf(ctx), after, limit + 1);
          const shown = page.slice(0, limit);
          const last = shown.at(-1);
          return {
            body: {
              Functions: shown.map(describeFunction),
              ...(page.length > limit && last
                ? { NextMarker: Buffer.from(last.name).toString("base64url") }
                : {}),
            },
          };
        },
      },
      {
        method: "GET",
        path: "/2015-03-31/functions/{FunctionName}",
        operation: "GetFunction",
        handler: async (req, ctx) => {
          const record = await existing(scopeOf(ctx), req.pathParams.FunctionName!);
          return {
            body: {
              Configuration: describeFunction(record),
              Code: { RepositoryType: "S3" },
              ...(record.reservedConcurrency !== undefined
                ? { Concurrency: { ReservedConcurrentExecutions: record.reservedConcurrency } }
                : {}),
            },
          };
        },
      },
      {
        method: "GET",
        path: "/2015-03-31/functions/{FunctionName}/configuration",
        operation: "GetFunctionConfiguration",
        handler: async (req, ctx) => ({
          body: describeFunction(await existing(scopeOf(ctx), req.pathParams.FunctionName!)),
        }),
      },
      {
        method: "PUT",
        path: "/2015-03-31/functions/{FunctionName}/code",
        operation: "UpdateFunctionCode",
        handler: async (req, ctx) => {
          const input = jsonBody(req);
          const scope = scopeOf(ctx);
          const zip = zipFrom(input, "ZipFile");
          const body = await update(
            scope,
            req.pathParams.FunctionName!,
            input.RevisionId,
            async (current) => {
              const code = await storeCode(codeRootFor(scope), zip);
              return { ...current, codeDir: code.dir, codeSha256: code.sha256, codeSize: code.size };
            },
          );
          return { body };
        },
      },
      {
        method: "PUT",
        path: "/2015-03-31/functions/{FunctionName}/configuration",
        operation: "UpdateFunctionConfiguration",
        handler: async (req, ctx) => {
          const input = jsonBody(req);
          const body = await update(
            scopeOf(ctx),
            req.pathParams.FunctionName!,
            input.RevisionId,
            async (current) => ({
              ...current,
              ...readSettings(input, current),
            }),
          );
          return { body };
        },
      },
      {
        method: "DELETE",
        path: "/2015-03-31/functions/{FunctionName}",
        operation: "DeleteFunction",
        handler: async (req, ctx) => {
          const scope = scopeOf(ctx);
          const record = await existing(scope, req.pathParams.FunctionName!);
          if (!(await deleteFunction(store, scope, record.name))) throw lambdaErrors.notFound(record.arn);
          return { status: 204 };
        },
      },
      {
        method: "POST",
        path: "/2015-03-31/functions/{FunctionName}/invocations",
        operation: "Invoke",
        handler: async (req, ctx) => {
          const record = await existing(scopeOf(ctx), req.pathParams.FunctionName!);
          return invokeFunction(options, record, req, ctx);
        },
      },
      {
        method: "PUT",
        path: "/2019-09-25/functions/{FunctionName}/event-invoke-config",
        operation: "PutFunctionEventInvokeConfig",
        handler: async (req, ctx) => {
          const scope = scopeOf(ctx);
          const record = await existing(scope, req.pathParams.FunctionName!);
          const config = readEventInvokeConfig(jsonBody(req));
          const lastModified = await putEventInvokeConfig(store, scope, record.name, config);
          return { body: describeEventInvokeConfig(record.arn, { ...config, lastModified }) };
        },
      },
      {
        method: "GET",
        path: "/2019-09-25/functions/{FunctionName}/event-invoke-config",
        operation: "GetFunctionEventInvokeConfig",
        handler: async (req, ctx) => {
          const scope = scopeOf(ctx);
          const record = await existing(scope, req.pathParams.FunctionName!);
          const config = await findEventInvokeConfig(store, scope, record.name);
          if (!config) throw lambdaErrors.noEventInvokeConfig(record.arn);
          return { body: describeEventInvokeConfig(record.arn, config) };
        },
      },
      {
        method: "DELETE",
        path: "/2019-09-25/functions/{FunctionName}/event-invoke-config",
        operation: "DeleteFunctionEventInvokeConfig",
        handler: async (req, ctx) => {
          const scope = scopeOf(ctx);
          const record = await existing(scope, req.pathParams.FunctionName!);
          if (!(await deleteEventInvokeConfig(store, scope, record.name)))
            throw lambdaErrors.noEventInvokeConfig(record.arn);
          return { status: 204 };
        },
      },
      {
        method: "PUT",
        path: "/2017-10-31/functions/{FunctionName}/concurrency",
        operation: "PutFunctionConcurrency",
        handler: async (req, ctx) => {
          const input = jsonBody(req);
          const value = input.ReservedConcurrentExecutions;
          if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
            throw lambdaErrors.validation(
              "reservedConcurrentExecutions",
              value,
              "Member must have value greater than or equal to 0",
            );
          }
          const scope = scopeOf(ctx);
          const record = await existing(scope, req.pathParams.FunctionName!);
          const others = await reservedTotal(store, scope, record.name);
          if (options.accountConcurrency - others - value < minimumUnreserved) {
            throw lambdaErrors.invalidParameter(
              `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimumUnreserved}].`,
            );
          }
          await update(scope, record.name, undefined, async (current) => ({
            ...current,
            reservedConcurrency: value,
          }));
          return { body: { ReservedConcurrentExecutions: value } };
        },
      },
      {
        method: "GET",
        path: "/2019-09-30/functions/{FunctionName}/concurrency",
        operation: "GetFunctionConcurrency",
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
        handler: async (req, ctx) => {
          await update(
            scopeOf(ctx),
            req.pathParams.FunctionName!,
            undefined,
            async ({ reservedConcurrency: _dropped, ...current }) => current,
          );
          return { status: 204 };
        },
      },
      {
        method: "GET",
        path: "/2016-08-19/account-settings",
        operation: "GetAccountSettings",
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
              AccountUsage: { TotalCodeSize: Number(row?.size ?? 0), FunctionCount: Number(row?.count ?? 0) },
            },
          };
        },
      },
    ],
  };
}
