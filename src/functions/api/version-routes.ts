/** PublishVersion and ListVersionsByFunction (`/2015-03-31/functions/{FunctionName}/versions`). */
import { mutates, type RestRoute, reads } from "../../protocol/index.js";
import type { Store } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  checkDescription,
  describeFunction,
  findFunction,
  functionArn,
  listVersions,
  parseFunctionName,
  publishLatest,
  refuseWhileUpdating,
  versionArn,
} from "../records/index.js";
import { jsonBody, nextMarker, onFunction, pageOf, scopeOf } from "./lambda-request.js";

function optionalString(input: Record<string, unknown>, field: string, member: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw lambdaErrors.validation(member, value, "Member must be a string");
  return value;
}

export function versionRoutes(store: Store): RestRoute[] {
  return [
    {
      method: "POST",
      path: "/2015-03-31/functions/{FunctionName}/versions",
      operation: "PublishVersion",

      ...mutates("lambda:PublishVersion", onFunction),
      handler: async (req, ctx) => {
        const input = jsonBody(req);
        const scope = scopeOf(ctx);
        const { name } = parseFunctionName(req.pathParams.FunctionName!);
        const description = checkDescription(input.Description);
        const codeSha256 = optionalString(input, "CodeSha256", "codeSha256");
        const revisionId = optionalString(input, "RevisionId", "revisionId");
        const published = await ctx.transaction(async (tx) => {
          const fn = await findFunction(tx, scope, name);
          if (!fn) throw lambdaErrors.notFound(functionArn(scope, name));
          refuseWhileUpdating(fn);
          if (revisionId !== undefined && revisionId !== fn.revisionId)
            throw lambdaErrors.preconditionFailed();
          if (codeSha256 !== undefined && codeSha256 !== fn.codeSha256) {
            throw lambdaErrors.invalidParameter(
              `CodeSHA256 (${codeSha256}) is different from current CodeSHA256 in $LATEST (${fn.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
            );
          }
          return publishLatest(tx, scope, fn, description);
        });
        return {
          status: 201,
          body: describeFunction(published.record, String(published.version), versionArn(published)),
        };
      },
    },
    {
      method: "GET",
      path: "/2015-03-31/functions/{FunctionName}/versions",
      operation: "ListVersionsByFunction",

      ...reads("lambda:ListVersionsByFunction", onFunction),
      handler: async (req, ctx) => {
        const scope = scopeOf(ctx);
        const { limit, after } = pageOf(req);
        if (after !== "" && after !== "$LATEST" && !/^[0-9]+$/.test(after))
          throw lambdaErrors.invalidParameter(
            "The Marker is not valid: pass the NextMarker of the last page",
          );
        const { name } = parseFunctionName(req.pathParams.FunctionName!);
        const fn = await findFunction(store, scope, name);
        if (!fn) throw lambdaErrors.notFound(functionArn(scope, name));
        // $LATEST comes first, then the versions in number order.
        const versions = await listVersions(
          store,
          scope,
          fn,
          after === "" || after === "$LATEST" ? 0 : Number(after),
          limit + 1,
        );
        const items = [
          ...(after === ""
            ? [{ position: "$LATEST", body: describeFunction(fn, "$LATEST", `${fn.arn}:$LATEST`) }]
            : []),
          ...versions.map((v) => ({
            position: String(v.version),
            body: describeFunction(v.record, String(v.version), versionArn(v)),
          })),
        ];
        return {
          body: {
            Versions: items.slice(0, limit).map((item) => item.body),
            ...nextMarker(items, limit, (item) => item.position),
          },
        };
      },
    },
  ];
}
