/** The Lambda API's errors, with the codes, statuses and messages the SDK and CLI expect. */
import { AwsError } from "../protocol/index.js";

/**
 * The error shapes of Lambda's model whose message member is `Message`; the others say
 * `message`. Lambda's JSON bodies spell it as the shape does (`{"Type":"User","Message":…}` for a
 * function not found, `{"Type":"User","message":…}` for a bad parameter), and so does Jeff.
 */
const capitalisedMessage = new Set([
  "CodeSigningConfigNotFoundException",
  "CodeVerificationFailedException",
  "EC2AccessDeniedException",
  "EC2ThrottledException",
  "EC2UnexpectedException",
  "EFSIOException",
  "EFSMountConnectivityException",
  "EFSMountFailureException",
  "EFSMountTimeoutException",
  "ENILimitReachedException",
  "InvalidCodeSignatureException",
  "InvalidRuntimeException",
  "InvalidSecurityGroupIDException",
  "InvalidSubnetIDException",
  "InvalidZipFileException",
  "KMSAccessDeniedException",
  "KMSDisabledException",
  "KMSInvalidStateException",
  "KMSNotFoundException",
  "ResourceInUseException",
  "ResourceNotFoundException",
  "ServiceException",
  "SnapStartException",
  "SnapStartNotReadyException",
  "SnapStartTimeoutException",
  "SubnetIPAddressLimitReachedException",
]);

/** An error of the Lambda API, its message member spelled as Lambda's model spells it. */
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
