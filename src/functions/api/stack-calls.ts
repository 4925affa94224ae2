/**
 * Lambda calls as a stack's resources make them: one of the API's own operations, on the stack
 * caller's behalf (`callOperationForStack`), answered with its output's members.
 */
import { callOperationForStack } from "../../operations/index.js";
import { AwsError, type OperationRunner, type RestJsonService } from "../../protocol/index.js";
import type { ResourceContext } from "../../templates/index.js";

/** The answer of one Lambda call, as its output shape's members. */
export type LambdaAnswer = Record<string, unknown>;

export interface StackLambdaCalls {
  (ctx: ResourceContext, operation: string, input: Record<string, unknown>): Promise<LambdaAnswer>;
  /**
   * The same call, where "there is none" (ResourceNotFoundException) is already what the step
   * wants: a retried or recovered delete, a configuration that was never put.
   */
  unlessGone(ctx: ResourceContext, operation: string, input: Record<string, unknown>): Promise<LambdaAnswer>;
}

export function stackLambdaCalls(calls: OperationRunner, service: () => RestJsonService): StackLambdaCalls {
  const call = async (ctx: ResourceContext, operation: string, input: Record<string, unknown>) =>
    ((await callOperationForStack(calls, ctx, service(), operation, input)) ?? {}) as LambdaAnswer;
  const unlessGone = (ctx: ResourceContext, operation: string, input: Record<string, unknown>) =>
    call(ctx, operation, input).catch((error: unknown): LambdaAnswer => {
      if (error instanceof AwsError && error.code === "ResourceNotFoundException") return {};
      throw error;
    });
  return Object.assign(call, { unlessGone });
}
