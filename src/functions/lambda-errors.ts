/** The Lambda API's errors, with the codes, statuses and messages the SDK and CLI expect. */
import { AwsError } from "../protocol/index.js";

/**
 * The errors whose shape in Lambda's model carries the message as `Message` (the others, as
 * InvalidParameterValueException, spell it `message`): Lambda answers each in its own spelling.
 */
const capitalisedMessage = new Set([
  "CodeSigningConfigNotFoundException",
  "CodeVerificationFailedException",
  "InvalidCodeSignatureException",
  "InvalidRuntimeException",
  "InvalidZipFileException",
  "ResourceInUseException",
  "ResourceNotFoundException",
  "ServiceException",
  "SnapStartException",
  "SnapStartNotReadyException",
  "SnapStartTimeoutException",
]);

/** A Lambda error with its message in the member its shape names. */
export function lambdaError(
  code: string,
  message: string,
  status: number,
  fields: Readonly<Record<string, unknown>> = {},
): AwsError {
  return new AwsError(code, message, status, fields, capitalisedMessage.has(code) ? "Message" : "message");
}

export const lambdaErrors = {
  notFound: (arn: string) => lambdaError("ResourceNotFoundException", `Function not found: ${arn}`, 404),
  noEventInvokeConfig: (arn: string) =>
    lambdaError("ResourceNotFoundException", `The function ${arn} doesn't have an EventInvokeConfig`, 404),
  alreadyExists: (name: string) =>
    lambdaError("ResourceConflictException", `Function already exist: ${name}`, 409),
  aliasNotFound: (aliasArn: string) =>
    lambdaError("ResourceNotFoundException", `Cannot find alias arn: ${aliasArn}`, 404),
  /** UpdateAlias words it differently from GetAlias, as Lambda does. */
  aliasNotFoundForUpdate: (aliasArn: string) =>
    lambdaError("ResourceNotFoundException", `Alias not found: ${aliasArn}`, 404),
  aliasExists: (aliasArn: string) =>
    lambdaError("ResourceConflictException", `Alias already exists: ${aliasArn}`, 409),
  versionInUse: (aliases: readonly string[]) =>
    lambdaError(
      "ResourceConflictException",
      `Unable to delete version because the following aliases reference it: [${aliases.join(", ")}]`,
      409,
    ),
  invalidParameter: (message: string) => lambdaError("InvalidParameterValueException", message, 400),
  /** A function ARN of another Region: Lambda serves each Region's functions only there. */
  otherRegion: (region: string, here: string) =>
    lambdaError(
      "ResourceNotFoundException",
      `Functions from '${region}' are not reachable in this region ('${here}')`,
      404,
    ),
  /** A function ARN of another account, which no resource-based policy opens to the caller. */
  otherAccount: (caller: string, action: string, arn: string) =>
    lambdaError(
      "AccessDeniedException",
      `User: ${caller} is not authorized to perform: ${action} on resource: ${arn} because no resource-based policy allows the ${action} action`,
      403,
    ),
  preconditionFailed: () =>
    lambdaError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      412,
    ),
  requestTooLarge: (message: string) => lambdaError("RequestTooLargeException", message, 413),
  /** Lambda's own failure, not the caller's (HTTP 500). */
  service: (message: string) => lambdaError("ServiceException", message, 500),
  /** Smithy-style validation, naming the member as the API model spells it. */
  validation: (member: string, value: unknown, constraint: string) =>
    lambdaError(
      "ValidationException",
      `1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
} as const;
