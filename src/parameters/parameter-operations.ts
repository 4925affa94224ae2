/**
 * What IAM and the audit trail know of SSM's calls, declared once for the API and for the
 * `AWS::SSM::Parameter` resource, whose changes are the same calls made on a stack's behalf.
 */
import { mutates, type OperationTraits } from "../protocol/index.js";
import { parameterArn } from "./parameter-store.js";

/** The parameter a call names. */
export const onParameter: OperationTraits["resources"] = (params, call) => {
  const name = params.Name;
  if (typeof name !== "string" || name === "") return [];
  const scope = { accountId: call.caller.accountId, region: call.region };
  return [{ type: "AWS::SSM::Parameter", name, arn: parameterArn(scope, name) }];
};

/**
 * SSM's own "Parameter Store Change" event: `Create` for a new parameter, `Update` when a put
 * overwrote one (its version is above 1), `Delete`.
 */
function parameterChange(operation: "Create" | "Delete"): OperationTraits["changeEvents"] {
  return (params, response, call) => {
    const name = String(params.Name);
    const version = (response as { Version?: number } | undefined)?.Version;
    const scope = { accountId: call.caller.accountId, region: call.region };
    return [
      {
        detailType: "Parameter Store Change",
        resources: [parameterArn(scope, name)],
        detail: {
          name,
          ...(operation === "Create" ? { type: String(params.Type ?? "String") } : {}),
          operation: operation === "Create" && version !== undefined && version > 1 ? "Update" : operation,
        },
      },
    ];
  };
}

export const parameterWrites = {
  PutParameter: mutates("ssm:PutParameter", onParameter, {
    hidden: ["Value"],
    changeEvents: parameterChange("Create"),
  }),
  DeleteParameter: mutates("ssm:DeleteParameter", onParameter, { changeEvents: parameterChange("Delete") }),
} as const;
