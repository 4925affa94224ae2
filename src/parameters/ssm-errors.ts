/** SSM Parameter Store's errors: its codes, statuses and messages, in one place. */
import { AwsError } from "../protocol/index.js";

export const parameterErrors = {
  notFound: (name: string) => new AwsError("ParameterNotFound", `Parameter ${name} not found.`),
  alreadyExists: () =>
    new AwsError(
      "ParameterAlreadyExists",
      "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    ),
  validation: (field: string, value: string, constraint: string) =>
    new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
    ),
  typeRequired: () =>
    new AwsError("ValidationException", "A parameter type is required when you create a parameter."),
  notAString: (field: string) => new AwsError("ValidationException", `${field} must be a string.`),
} as const;
