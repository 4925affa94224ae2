/**
 * PutTargets' checks of each target that AWS answers per target rather than for the request
 * (the model already refused ids that break its pattern or length): each failure is a
 * `FailedEntries` member, and the other targets are still put.
 */
import { AwsError } from "../protocol/index.js";
import { validateTargetInput } from "./input/index.js";
import type { TargetDefinition } from "./rule-records.js";

/**
 * Refuses the whole request for the first target whose Input, InputPath or InputTransformer AWS
 * refuses (its ValidationException names the target).
 */
export function checkTargetInputs(targets: readonly TargetDefinition[]): void {
  for (const target of targets) {
    const refused = validateTargetInput(target);
    if (refused !== undefined) throw new AwsError(refused.code, refused.message, refused.status);
  }
}

export interface FailedTarget {
  readonly TargetId: string;
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

/** An ARN as EventBridge accepts a target's. */
const arnPattern = /^arn:[\d\w:\-/]*/;

export function checkTargets(targets: readonly TargetDefinition[]): FailedTarget[] {
  const failed: FailedTarget[] = [];
  for (const target of targets) {
    if (!arnPattern.test(target.Arn)) {
      failed.push({
        TargetId: target.Id,
        ErrorCode: "ValidationException",
        ErrorMessage: `Parameter ${target.Arn} is not valid. Reason: Provided Arn is not in correct format.`,
      });
      continue;
    }
    if (target.Arn.includes(":sqs:") && target.Arn.endsWith(".fifo") && target.SqsParameters === undefined) {
      failed.push({
        TargetId: target.Id,
        ErrorCode: "ValidationException",
        ErrorMessage: `Parameter(s) SqsParameters must be specified for target: ${target.Id}.`,
      });
    }
  }
  return failed;
}
