/**
 * `AWS::Lambda::Permission` in templates: a statement of a function's (or version's, or alias's)
 * resource-based policy, added as the AddPermission CloudFormation makes on the stack caller's
 * behalf and removed as its RemovePermission. Every property needs a new statement when it changes
 * (CloudFormation replaces the resource), so an update never edits one in place. Ref gives the
 * statement id; `Fn::GetAtt Id` too.
 */
import { createHash } from "node:crypto";
import type { OperationRunner, RestJsonService } from "../../protocol/index.js";
import {
  isFunctionCall,
  type ResourceContext,
  type ResourceHandler,
  type TemplateError,
} from "../../templates/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import { type FunctionReference, parseFunctionName } from "../records/index.js";
import { stackLambdaCalls } from "./stack-calls.js";

interface PermissionProps {
  readonly Action: string;
  readonly FunctionName: string;
  readonly Principal: string;
  readonly SourceAccount?: string;
  readonly SourceArn?: string;
  readonly EventSourceToken?: string;
  readonly FunctionUrlAuthType?: string;
  readonly PrincipalOrgID?: string;
}

const required = ["Action", "FunctionName", "Principal"] as const;
const optional = [
  "SourceAccount",
  "SourceArn",
  "EventSourceToken",
  "FunctionUrlAuthType",
  "PrincipalOrgID",
] as const;

/**
 * The statement id CloudFormation gives: the stack's name, the logical id and a suffix, at most 100
 * of `a-zA-Z0-9-_`. The suffix is derived from the stack, the logical id and the properties, so a
 * retried create finds the same statement and a replacement (any change of a property) adds another
 * before the old one goes.
 */
function statementIdFor(props: PermissionProps, ctx: ResourceContext): string {
  const given = [...required, ...optional].map((key) => [key, props[key] ?? null]);
  const suffix = createHash("sha256")
    .update(JSON.stringify([ctx.stackId, ctx.logicalId, given]))
    .digest("hex")
    .slice(0, 12)
    .toUpperCase();
  return `${`${ctx.stackName}-${ctx.logicalId}`.replace(/[^a-zA-Z0-9-_]/g, "-").slice(0, 87)}-${suffix}`;
}

/** The function, version or alias FunctionName names, in the stack's own account and Region. */
function referenceIn(props: PermissionProps, ctx: ResourceContext): FunctionReference {
  const reference = parseFunctionName(String(props.FunctionName));
  if (
    (reference.region !== undefined && reference.region !== ctx.region) ||
    (reference.accountId !== undefined && reference.accountId !== ctx.accountId)
  ) {
    throw lambdaErrors.invalidParameter(
      `FunctionName ${props.FunctionName} is not a function of this stack's account and Region`,
    );
  }
  return reference;
}

export function permissionResource(
  calls: OperationRunner,
  service: () => RestJsonService,
): ResourceHandler<PermissionProps> {
  const lambda = stackLambdaCalls(calls, service);

  const add = async (sid: string, props: PermissionProps, ctx: ResourceContext) => {
    referenceIn(props, ctx);
    const input: Record<string, unknown> = { StatementId: sid };
    for (const key of [...required, ...optional]) {
      if (props[key] !== undefined) input[key] = String(props[key]);
    }
    await lambda(ctx, "AddPermission", input);
    return { physicalId: sid, attributes: { Id: sid } };
  };

  const remove = async (sid: string, props: PermissionProps, ctx: ResourceContext) => {
    try {
      referenceIn(props, ctx);
    } catch {
      return; // a name no statement could have been added under
    }
    // Already gone (the statement, its policy or the function) is fine: a retried or recovered
    // delete, or a function the same stack deleted first.
    await lambda.unlessGone(ctx, "RemovePermission", {
      FunctionName: String(props.FunctionName),
      StatementId: sid,
    });
  };

  return {
    type: "AWS::Lambda::Permission",
    attributes: ["Id"],
    validateProperties(props, path) {
      const errors: TemplateError[] = [];
      const p = (props ?? {}) as Record<string, unknown>;
      for (const key of required) {
        if (p[key] === undefined) errors.push({ path: `${path}.${key}`, message: `${key} is required` });
      }
      for (const key of [...required, ...optional]) {
        const value = p[key];
        if (value !== null && typeof value === "object" && !isFunctionCall(value)) {
          errors.push({
            path: `${path}.${key}`,
            message: `${key} must be a string, not ${Array.isArray(value) ? "a list" : "an object"}`,
          });
        }
      }
      return errors;
    },
    // CloudFormation replaces a permission whatever changes.
    replaceOnChange: [...required, ...optional],
    physicalIdFor: (props, ctx) => statementIdFor(props, ctx),
    create: (props, ctx) => add(statementIdFor(props, ctx), props, ctx),
    async update(physicalId, props, previous, ctx) {
      await remove(physicalId, previous, ctx);
      return add(physicalId, props, ctx);
    },
    delete: (physicalId, props, ctx) => remove(physicalId, props, ctx),
  };
}
