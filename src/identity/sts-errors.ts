/** STS's errors: its codes, statuses and messages, in one place. */
import { AwsError } from "../protocol/index.js";

export const stsErrors = {
  sessionFromSession: () =>
    new AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403),
  notAnInteger: (field: string, raw: string) =>
    new AwsError(
      "ValidationError",
      `Value '${raw}' at '${field}' failed to satisfy constraint: Member must be an integer`,
    ),
  outOfRange: (field: string, raw: string, bound: string) =>
    new AwsError(
      "ValidationError",
      `1 validation error detected: Value '${raw}' at '${field}' failed to satisfy constraint: Member must have value ${bound}`,
    ),
} as const;
