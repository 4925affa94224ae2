/** CloudWatch Logs' errors: its codes, statuses and messages, in one place. */
import { AwsError } from "../protocol/index.js";

export const logsErrors = {
  invalid: (message: string) => new AwsError("InvalidParameterException", message, 400),
  noGroup: () => new AwsError("ResourceNotFoundException", "The specified log group does not exist.", 400),
  missing: (member: string) =>
    new AwsError(
      "ValidationException",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    ),
  outOfRange: (member: string, value: number, max: number) =>
    new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value between 1 and ${max}`,
    ),
} as const;
