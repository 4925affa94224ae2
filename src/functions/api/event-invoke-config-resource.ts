/**
 * `AWS::Lambda::EventInvokeConfig` in templates: a qualifier's retries, event age and destinations
 * for asynchronous invocation (what the CDK's `onSuccess` / `onFailure` / `retryAttempts` make),
 * put as the PutFunctionEventInvokeConfig CloudFormation makes on the stack caller's behalf and
 * removed as its DeleteFunctionEventInvokeConfig. An update puts the whole configuration again
 * (what the template leaves out is unset); a new `FunctionName` or `Qualifier` replaces the
 * resource. Ref gives its id, which CloudFormation generates.
 */
import { createHash } from "node:crypto";
import type { OperationRunner, RestJsonService } from "../../protocol/index.js";
import {
  isFunctionCall,
  type ResourceContext,
  type ResourceHandler,
  type TemplateError,
} from "../../templates/index.js";
import { parseFunctionName } from "../records/index.js";
import { integerOf } from "./function-resource.js";
import { stackLambdaCalls } from "./stack-calls.js";

interface EventInvokeConfigProps {
  readonly FunctionName: string;
  readonly Qualifier: string;
  readonly MaximumRetryAttempts?: number | string;
  readonly MaximumEventAgeInSeconds?: number | string;
  readonly DestinationConfig?: Record<string, unknown>;
}

const required = ["FunctionName", "Qualifier"] as const;

/**
 * The id CloudFormation gives: from the stack, the logical id and the configuration it is — the
 * function and qualifier as Lambda resolves them (a name or an ARN, `fn:$LATEST` or `fn` with
 * `$LATEST`, are one) — so a retried create finds the same id, a replacement aimed at another
 * function or qualifier gets another, and one aimed at the same configuration keeps its id (the
 * engine then neither deletes the configuration it just put nor loses it to a rollback).
 */
function idFor(props: EventInvokeConfigProps, ctx: ResourceContext): string {
  let target: unknown[];
  try {
    const reference = parseFunctionName(String(props.FunctionName));
    const qualifier = reference.qualifier ?? (String(props.Qualifier ?? "") || "$LATEST");
    target = [
      reference.accountId ?? ctx.accountId,
      reference.region ?? ctx.region,
      reference.name,
      qualifier,
    ];
  } catch {
    target = [String(props.FunctionName), String(props.Qualifier)]; // refused by Lambda when put
  }
  const suffix = createHash("sha256")
    .update(JSON.stringify([ctx.stackId, ctx.logicalId, ...target]))
    .digest("hex")
    .slice(0, 12);
  return `${ctx.stackName}-${ctx.logicalId}-${suffix}`;
}

export function eventInvokeConfigResource(
  calls: OperationRunner,
  service: () => RestJsonService,
): ResourceHandler<EventInvokeConfigProps> {
  const lambda = stackLambdaCalls(calls, service);

  const put = async (props: EventInvokeConfigProps, ctx: ResourceContext) => {
    const input: Record<string, unknown> = {
      FunctionName: String(props.FunctionName),
      Qualifier: String(props.Qualifier),
      // Put replaces the whole configuration; a template without destinations has none.
      DestinationConfig: props.DestinationConfig ?? {},
    };
    if (props.MaximumRetryAttempts !== undefined) {
      input.MaximumRetryAttempts = integerOf(props.MaximumRetryAttempts);
    }
    if (props.MaximumEventAgeInSeconds !== undefined) {
      input.MaximumEventAgeInSeconds = integerOf(props.MaximumEventAgeInSeconds);
    }
    await lambda(ctx, "PutFunctionEventInvokeConfig", input);
  };

  return {
    type: "AWS::Lambda::EventInvokeConfig",
    attributes: [],
    validateProperties(props, path) {
      const errors: TemplateError[] = [];
      const p = (props ?? {}) as Record<string, unknown>;
      for (const key of required) {
        const value = p[key];
        if (value === undefined || value === null) {
          errors.push({ path: `${path}.${key}`, message: `${key} is required` });
        } else if (typeof value === "object" && !isFunctionCall(value)) {
          errors.push({ path: `${path}.${key}`, message: `${key} must be a string` });
        }
      }
      const destinations = p.DestinationConfig;
      if (
        destinations !== undefined &&
        (destinations === null || typeof destinations !== "object" || Array.isArray(destinations))
      ) {
        errors.push({ path: `${path}.DestinationConfig`, message: "DestinationConfig must be an object" });
      }
      return errors;
    },
    replaceOnChange: [...required],
    physicalIdFor: (props, ctx) => idFor(props, ctx),
    async create(props, ctx) {
      await put(props, ctx);
      return { physicalId: idFor(props, ctx), attributes: {} };
    },
    async update(physicalId, props, _previous, ctx) {
      await put(props, ctx);
      return { physicalId, attributes: {} };
    },
    async delete(_physicalId, props, ctx) {
      // Already gone (the configuration or the function) is fine: a retried or recovered delete,
      // or a function the same stack deleted first.
      await lambda.unlessGone(ctx, "DeleteFunctionEventInvokeConfig", {
        FunctionName: String(props.FunctionName),
        Qualifier: String(props.Qualifier),
      });
    },
  };
}
