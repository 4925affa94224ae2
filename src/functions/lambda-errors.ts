/** The Lambda API's errors, with the codes, statuses and messages the SDK and CLI expect. */
import { AwsError } from "../protocol/index.js";

export const lambdaErrors = {
  notFound: (arn: string) => new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, 404),
  noEventInvokeConfig: (arn: string) =>
    new AwsError("ResourceNotFoundException", `The function ${arn} doesn't have an EventInvokeConfig`, 404),
  alreadyExists: (name: string) =>
    new AwsError("ResourceConflictException", `Function already exist: ${name}`, 409),
  aliasNotFound: (aliasArn: string) =>
    new AwsError("ResourceNotFoundException", `Cannot find alias arn: ${aliasArn}`, 404),
  /** UpdateAlias words it differently from GetAlias, as Lambda does. */
  aliasNotFoundForUpdate: (aliasArn: string) =>
    new AwsError("ResourceNotFoundException", `Alias not found: ${aliasArn}`, 404),
  aliasExists: (aliasArn: string) =>
    new AwsError("ResourceConflictException", `Alias already exists: ${aliasArn}`, 409),
  versionInUse: (aliases: readonly string[]) =>
    new AwsError(
      "ResourceConflictException",
      `Unable to delete version because the following aliases reference it: [${aliases.join(", ")}]`,
      409,
    ),
  invalidParameter: (message: string) => new AwsError("InvalidParameterValueException", message, 400),
  /** A function ARN of another Region: Lambda serves each Region's functions only there. */
  otherRegion: (region: string, here: string) =>
    new AwsError(
      "ResourceNotFoundException",
      `Functions from '${region}' are not reachable in this region ('${here}')`,
      404,
    ),
  /** A function ARN of another account, which no resource-based policy opens to the caller. */
  otherAccount: (caller: string, action: string, arn: string) =>
    new AwsError(
      "AccessDeniedException",
      `User: ${caller} is not authorized to perform: ${action} on resource: ${arn} because no resource-based policy allows the ${action} action`,
      403,
    ),
  preconditionFailed: () =>
    new AwsError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      412,
    ),
  /** A package over Lambda's zipped limit, answered as AWS answers it (recorded: TestLambdaSizeLimits). */
  zippedTooLarge: (limit: number) =>
    new AwsError("RequestEntityTooLargeException", `Zipped size must be smaller than ${limit} bytes`, 413),
  /** Lambda's own failure, not the caller's (HTTP 500). */
  service: (message: string) => new AwsError("ServiceException", message, 500),
  /** Smithy-style validation, naming the member as the API model spells it. */
  validation: (member: string, value: unknown, constraint: string) =>
    new AwsError(
      "ValidationException",
      `1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
} as const;
