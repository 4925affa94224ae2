/** ListTags, TagResource and UntagResource (`/2017-03-31/tags/{ARN}`): tags on a function. */
import { randomUUID } from "node:crypto";
import {
  mutates,
  type RequestContext,
  type RestRequest,
  type RestRoute,
  reads,
} from "../../protocol/index.js";
import type { SqlExecutor, Store } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  type FunctionRecord,
  findFunction,
  functionArn,
  mergeTags,
  readTags,
  saveTags,
} from "../records/index.js";
import { jsonBody, onFunction, scopeOf } from "./lambda-request.js";

const functionArnPattern = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)$/;

/** A function ARN with a version or alias: taggable by the pattern, refused by Lambda. */
const qualifiedFunctionArn =
  /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_]+:(\$LATEST|[a-zA-Z0-9-_]+)$/;

/** Lambda's TaggableResource: the ARNs its tag calls take, as its validation message spells them. */
const taggableResource =
  "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)";

/**
 * Taggable resources Jeff does not have (yet): an ARN of one names nothing, and Lambda's answer
 * for a mapping or provider that is not there says so in its own words.
 */
const absentResources: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    "Event source mapping not found",
  ],
  [
    /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:capacity-provider:[a-zA-Z0-9-_]+$/,
    "Capacity provider not found",
  ],
];

/** The function an ARN names, in the caller's account and region; tags go on functions, not versions. */
async function taggedFunction(
  db: SqlExecutor,
  req: RestRequest,
  ctx: RequestContext,
): Promise<FunctionRecord> {
  const arn = req.pathParams.ARN ?? "";
  const match = functionArnPattern.exec(arn);
  if (!match && qualifiedFunctionArn.test(arn)) {
    throw lambdaErrors.invalidParameter(
      "Tags on function aliases and versions are not supported. Please specify a function ARN.",
    );
  }
  if (!match) {
    const absent = absentResources.find(([pattern]) => pattern.test(arn));
    if (absent) throw lambdaErrors.taggableNotFound(absent[1], arn);
    throw lambdaErrors.validation(
      "resource",
      arn,
      `Member must satisfy regular expression pattern: ${taggableResource}`,
    );
  }
  const scope = scopeOf(ctx);
  const fn =
    match[1] === scope.region && match[2] === scope.accountId
      ? await findFunction(db, scope, match[3]!)
      : undefined;
  if (!fn) throw lambdaErrors.notFound(functionArn(scope, match[3]!));
  return fn;
}

export function tagRoutes(store: Store): RestRoute[] {
  return [
    {
      method: "GET",
      path: "/2017-03-31/tags/{ARN}",
      operation: "ListTags",

      ...reads("lambda:ListTags", onFunction),
      handler: async (req, ctx) => ({ body: { Tags: (await taggedFunction(store, req, ctx)).tags } }),
    },
    {
      method: "POST",
      path: "/2017-03-31/tags/{ARN}",
      operation: "TagResource",

      ...mutates("lambda:TagResource", onFunction),
      handler: async (req, ctx) => {
        const added = readTags(jsonBody(req).Tags);
        if (added === undefined) throw lambdaErrors.validation("tags", undefined, "Member must not be null");
        // Lambda's words for a TagResource without tags.
        if (Object.keys(added).length === 0)
          throw lambdaErrors.invalidParameter("An error occurred and the request cannot be processed.");
        await ctx.transaction(async (tx) => {
          const fn = await taggedFunction(tx, req, ctx);
          await saveTags(tx, scopeOf(ctx), fn.name, mergeTags(fn.tags, added), randomUUID());
        });
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      path: "/2017-03-31/tags/{ARN}",
      operation: "UntagResource",

      ...mutates("lambda:UntagResource", onFunction),
      handler: async (req, ctx) => {
        const keys = req.query.getAll("tagKeys");
        if (keys.length === 0) throw lambdaErrors.validation("tagKeys", undefined, "Member must not be null");
        await ctx.transaction(async (tx) => {
          const fn = await taggedFunction(tx, req, ctx);
          const kept = Object.fromEntries(Object.entries(fn.tags).filter(([key]) => !keys.includes(key)));
          await saveTags(tx, scopeOf(ctx), fn.name, kept, randomUUID());
        });
        return { status: 204 };
      },
    },
  ];
}
