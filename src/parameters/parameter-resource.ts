/** `AWS::SSM::Parameter` in templates: Ref gives the name; GetAtt gives Type and Value. */
import { createHash } from "node:crypto";
import type { SqlExecutor } from "../store/index.js";
import type { ResourceContext, ResourceHandler, TemplateError } from "../templates/index.js";
import { deleteParameter, type ParameterType, putParameter } from "./parameter-store.js";

export interface ParameterProps {
  Name?: string;
  Type: ParameterType;
  Value: string;
  Description?: string;
}

const cfnTypes = ["String", "StringList"];

/** CloudFormation's `CFN-<LogicalId>-<suffix>`, with a suffix derived from the stack so a retry finds the same name. */
function generatedName(ctx: ResourceContext): string {
  const suffix = createHash("sha256")
    .update(`${ctx.stackId}/${ctx.logicalId}`)
    .digest("base64url")
    .slice(0, 12);
  return `CFN-${ctx.logicalId}-${suffix}`;
}

export function parameterResource(db: SqlExecutor): ResourceHandler<ParameterProps> {
  const write = async (name: string, props: ParameterProps, ctx: ResourceContext, overwrite: boolean) => {
    await putParameter(db, ctx, {
      name,
      type: props.Type,
      value: props.Value,
      ...(props.Description !== undefined ? { description: props.Description } : {}),
      overwrite,
    });
    return { physicalId: name, attributes: { Type: props.Type, Value: props.Value } };
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
      return errors;
    },
    replaceOnChange: ["Name"],
    physicalIdFor: (props, ctx) => props.Name ?? generatedName(ctx),
    create: (props, ctx) => write(props.Name ?? generatedName(ctx), props, ctx, false),
    update: (physicalId, props, _previous, ctx) => write(physicalId, props, ctx, true),
    async delete(physicalId, _props, ctx) {
      // Already gone is fine: a recovered delete may run twice.
      await deleteParameter(db, ctx, physicalId);
    },
  };
}
