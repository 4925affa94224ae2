/**
 * Which configuration a request means: `FunctionName` (a name, a full or partial ARN, each
 * optionally `:qualifier`) and the `Qualifier` parameter name `$LATEST`, a published version or an
 * alias, and resolve to the code and configuration that run.
 */
import { lambdaModel } from "../../protocol/index.js";
import type { SqlExecutor } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import { type AliasRecord, findAlias, pickVersion } from "./function-aliases.js";
import type { FunctionCache } from "./function-cache.js";
import { type FunctionRecord, type FunctionScope, findFunction, functionArn } from "./function-records.js";
import { findVersion, isVersionNumber } from "./function-versions.js";

export interface FunctionReference {
  readonly name: string;
  /** `$LATEST`, a version number or an alias name; undefined when the request names none. */
  readonly qualifier?: string;
  /** The Region a full ARN names. */
  readonly region?: string;
  /** The account a full or partial ARN names. */
  readonly accountId?: string;
}

/**
 * A FunctionName read as Lambda reads it, by the parts of the model's pattern: an optional
 * `arn:<partition>:lambda:`, Region, account and `function:`, the name, an optional qualifier.
 * Each part is optional, so `arn:aws:lambda:us-east-1:123456789012:function` names the function
 * `function`, as it does on AWS. Dots are allowed in the name: the calls that take only plain
 * names refuse them by their pattern before this runs.
 */
const namePattern =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:((?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$/;

const functionNameShape = lambdaModel.shapes.FunctionName;
const functionNamePattern = functionNameShape?.type === "string" ? functionNameShape.pattern : undefined;

/** A FunctionName path parameter, with the qualifier, Region and account it may carry. */
export function parseFunctionName(raw: string): FunctionReference {
  const match = namePattern.exec(raw);
  if (!match) {
    throw lambdaErrors.validation(
      "functionName",
      raw,
      `Member must satisfy regular expression pattern: ${functionNamePattern}`,
    );
  }
  const [, region, accountId, name, qualifier] = match;
  return {
    name: name!,
    ...(qualifier !== undefined ? { qualifier } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
  };
}

/** FunctionName and the `Qualifier` query parameter together; they must agree when both are given. */
export function referenceOf(raw: string, queryQualifier: string | null): FunctionReference {
  const reference = parseFunctionName(raw);
  if (queryQualifier === null || queryQualifier === "") return reference;
  if (queryQualifier.length > 128 || !/^[a-zA-Z0-9$_-]+$/.test(queryQualifier)) {
    throw lambdaErrors.validation(
      "qualifier",
      queryQualifier,
      "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
    );
  }
  if (reference.qualifier !== undefined && reference.qualifier !== queryQualifier) {
    throw lambdaErrors.invalidParameter(
      "The derived qualifier from the function name does not match the specified qualifier.",
    );
  }
  return { ...reference, qualifier: queryQualifier };
}

export interface FunctionTarget {
  /** The account and Region the function is in. */
  readonly scope: FunctionScope;
  /** The function itself ($LATEST), whatever the qualifier. */
  readonly fn: FunctionRecord;
  /** The configuration that runs: `$LATEST`'s or the published version's. */
  readonly record: FunctionRecord;
  /** The version that runs: `$LATEST` or a number. */
  readonly version: string;
  /** The qualifier as asked for (an alias stays an alias); undefined when unqualified. */
  readonly qualifier?: string;
  /** The ARN as invoked: unqualified, or with the qualifier asked for. */
  readonly arn: string;
  readonly alias?: AliasRecord;
}

export interface ResolveOptions {
  /** Follow an alias's routing weights (Invoke) rather than only its primary version. */
  readonly route?: boolean;
  /**
   * The qualifier a missing function's ARN is named with when the request names none: Invoke names
   * `$LATEST`, the version it would have run (recorded: test_function_name_and_qualifier_validation).
   */
  readonly missingAs?: string;
  /**
   * Where the function itself is looked up: a node's copies (`function-cache.ts`), for the
   * invocations that run now. Default: the store, through `db`.
   */
  readonly functions?: FunctionCache;
}

/** The version or alias a reference names, or ResourceNotFoundException naming the qualified ARN. */
export async function resolveTarget(
  db: SqlExecutor,
  scope: FunctionScope,
  reference: FunctionReference,
  options: ResolveOptions = {},
): Promise<FunctionTarget> {
  const { name, qualifier } = reference;
  const baseArn = functionArn(scope, name);
  const arn = qualifier === undefined ? baseArn : `${baseArn}:${qualifier}`;
  const fn = options.functions
    ? await options.functions.find(scope, name)
    : await findFunction(db, scope, name);
  if (!fn) {
    const named = qualifier ?? options.missingAs;
    throw lambdaErrors.notFound(named === undefined ? baseArn : `${baseArn}:${named}`);
  }
  // The warm invoke's case first, as object literals of one shape each (a spread of optional
  // members makes a new shape per call, which showed in its profile).
  if (qualifier === undefined) return { scope, fn, arn, record: fn, version: "$LATEST" };
  if (qualifier === "$LATEST") return { scope, fn, arn, qualifier, record: fn, version: "$LATEST" };
  const base = { scope, fn, arn, qualifier };
  if (/^[0-9]+$/.test(qualifier)) {
    const published = isVersionNumber(qualifier)
      ? await findVersion(db, scope, fn, Number(qualifier))
      : undefined;
    if (!published) throw lambdaErrors.notFound(arn);
    return { ...base, record: published.record, version: qualifier };
  }
  const alias = await findAlias(db, scope, name, qualifier);
  if (!alias) throw lambdaErrors.notFound(arn);
  const version = options.route ? pickVersion(alias) : alias.functionVersion;
  if (version === "$LATEST") return { ...base, alias, record: fn, version };
  const published = await findVersion(db, scope, fn, Number(version));
  if (!published) throw lambdaErrors.notFound(`${baseArn}:${version}`);
  return { ...base, alias, record: published.record, version };
}

/** Resolves a version already chosen (an asynchronous event's), or undefined if it is gone. */
export async function resolveVersion(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
  version: string,
): Promise<{ fn: FunctionRecord; record: FunctionRecord } | undefined> {
  const fn = await findFunction(db, scope, name);
  if (!fn) return undefined;
  if (version === "$LATEST") return { fn, record: fn };
  const published = await findVersion(db, scope, fn, Number(version));
  return published ? { fn, record: published.record } : undefined;
}
