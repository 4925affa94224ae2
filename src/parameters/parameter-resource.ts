/** `AWS::SSM::Parameter` in templates: Ref gives the name; GetAtt gives Type and Value. */
import { createHash } from "node:crypto";
import { callOperationForStack } from "../operations/index.js";
import { AwsError, type JsonService, type OperationRunner } from "../protocol/index.js";
import {
  isFunctionCall,
  type ResourceContext,
  type ResourceHandler,
  type TemplateError,
} from "../templates/index.js";
import type { ParameterType } from "./parameter-store.js";

/** The properties as a template may give them: scalars where CloudFormation takes strings. */
export interface ParameterProps {
  Name?: string | number | boolean;
  Type: ParameterType;
  Value: string | number | boolean;
  Description?: string | number | boolean;
}

const cfnTypes = ["String", "StringList"];
const textProperties = ["Name", "Value", "Description"] as const;

/** CloudFormation's `CFN-<LogicalId>-<suffix>`, with a suffix derived from the stack so a retry finds the same name. */
function generatedName(ctx: ResourceContext): string {
  const suffix = createHash("sha256")
    .update(`${ctx.stackId}/${ctx.logicalId}`)
    .digest("base64url")
    .slice(0, 12);
  return `CFN-${ctx.logicalId}-${suffix}`;
}

/** Numbers and booleans become strings, as CloudFormation turns them into strings for string properties. */
function text(value: string | number | boolean): string;
function text(value: string | number | boolean | undefined): string | undefined;
function text(value: string | number | boolean | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function nameOf(props: ParameterProps, ctx: ResourceContext): string {
  return text(props.Name) ?? generatedName(ctx);
}

/**
 * Each change is the SSM call CloudFormation makes for it — PutParameter, DeleteParameter — made
 * through the API's own operations on the stack caller's behalf.
 */
export function parameterResource(
  calls: OperationRunner,
  service: () => JsonService,
): ResourceHandler<ParameterProps> {
  const ssm = (ctx: ResourceContext, operation: string, input: Record<string, unknown>) =>
    callOperationForStack(calls, ctx, service(), operation, input);
  const write = async (name: string, props: ParameterProps, ctx: ResourceContext, overwrite: boolean) => {
    const value = text(props.Value);
    const description = text(props.Description);
    await ssm(ctx, "PutParameter", {
      Name: name,
      Type: props.Type,
      Value: value,
      ...(description !== undefined ? { Description: description } : {}),
      Overwrite: overwrite,
    });
    return { physicalId: name, attributes: { Type: props.Type, Value: value } };
  };
  return {
    type: "AWS::SSM::Parameter",
    attributes: ["Type", "Value"],
    validateProperties(props, path) {
      const errors: TemplateError[] = [];
      const p = (props ?? {}) as Record<string, unknown>;
      if (p.Type === undefined) errors.push({ path: `${path}.Type`, message: "Type is required" });
      else if (typeof p.Type === "string" && !cfnTypes.includes(p.Type)) {
        errors.push({
          path: `${path}.Type`,
          message: `Type must be one of ${cfnTypes.join(", ")}, not '${p.Type}'`,
        });
      }
      if (p.Value === undefined) errors.push({ path: `${path}.Value`, message: "Value is required" });
      for (const key of textProperties) {
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
    replaceOnChange: ["Name"],
    physicalIdFor: (props, ctx) => nameOf(props, ctx),
    create: (props, ctx) => write(nameOf(props, ctx), props, ctx, false),
    update: (physicalId, props, _previous, ctx) => write(physicalId, props, ctx, true),
    async delete(physicalId, _props, ctx) {
      try {
        await ssm(ctx, "DeleteParameter", { Name: physicalId });
      } catch (error) {
        // Already gone is fine: a recovered delete may run twice.
        if (!(error instanceof AwsError) || error.code !== "ParameterNotFound") throw error;
      }
    },
  };
}
