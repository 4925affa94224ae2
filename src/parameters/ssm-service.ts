/** The SSM Parameter Store API (awsJson1_1): put, get and delete a parameter. */
import { commonErrors, type JsonService, type RequestContext, reads, ssmModel } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { onParameter, parameterWrites } from "./parameter-operations.js";
import {
  deleteParameter,
  getParameter,
  type ParameterType,
  parameterArn,
  putParameter,
} from "./parameter-store.js";
import { parameterErrors } from "./ssm-errors.js";

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== "string") {
    throw commonErrors.validation(
      `1 validation error detected: Value at '${field[0]?.toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.caller.accountId, region: ctx.region });

export function createSsmService(db: Store): JsonService {
  return {
    signingName: "ssm",
    model: ssmModel,
    protocol: "awsJson1_1",
    targetPrefix: "AmazonSSM",
    operations: {
      PutParameter: {
        ...parameterWrites.PutParameter,
        handler: async (input, ctx) => {
          const description = input.Description;
          if (description !== undefined && typeof description !== "string") {
            throw parameterErrors.notAString("Description");
          }
          return putParameter(
            ctx.transaction,
            scopeOf(ctx),
            {
              name: requiredString(input, "Name"),
              value: requiredString(input, "Value"),
              ...(input.Type !== undefined ? { type: input.Type as ParameterType } : {}),
              ...(description !== undefined ? { description } : {}),
              overwrite: input.Overwrite === true,
            },
            (version) => ({ Version: version, Tier: "Standard" }),
          );
        },
      },
      GetParameter: {
        ...reads("ssm:GetParameter", onParameter, { hidden: ["Value"] }),
        handler: async (input, ctx) => {
          const name = requiredString(input, "Name");
          const parameter = await getParameter(db, scopeOf(ctx), name);
          if (!parameter) throw parameterErrors.notFound(name);
          return {
            Parameter: {
              Name: parameter.name,
              Type: parameter.type,
              Value: parameter.value,
              Version: parameter.version,
              LastModifiedDate: parameter.lastModified.getTime() / 1000,
              ARN: parameterArn(scopeOf(ctx), parameter.name),
              DataType: "text",
            },
          };
        },
      },
      DeleteParameter: {
        ...parameterWrites.DeleteParameter,
        handler: async (input, ctx) => {
          const name = requiredString(input, "Name");
          // Refused inside the transaction, so that nothing — the audit record included — says it was deleted.
          await ctx.transaction(async (tx) => {
            if (!(await deleteParameter(tx, scopeOf(ctx), name))) throw parameterErrors.notFound(name);
          });
          return {};
        },
      },
    },
  };
}
