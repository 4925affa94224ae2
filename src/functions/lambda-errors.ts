/** The Lambda API's errors, with the codes, statuses and messages the SDK and CLI expect. */
import { AwsError } from "../protocol/index.js";

/** The body spells the message as Lambda's model spells this error's member (`Message`): jsonError. */
const notFoundError = (message: string) => new AwsError("ResourceNotFoundException", message, 404);

export const lambdaErrors = {
  notFound: (arn: string) => notFoundError(`Function not found: ${arn}`),
  noEventInvokeConfig: (arn: string) =>
    notFoundError(`The function ${arn} doesn't have an EventInvokeConfig`),
  alreadyExists: (name: string) =>
    new AwsError("ResourceConflictException", `Function already exist: ${name}`, 409),
  aliasNotFound: (aliasArn: string) => notFoundError(`Cannot find alias arn: ${aliasArn}`),
  /** UpdateAlias words it differently from GetAlias, as Lambda does. */
  aliasNotFoundForUpdate: (aliasArn: string) => notFoundError(`Alias not found: ${aliasArn}`),
  aliasExists: (aliasArn: string) =>
    new AwsError("ResourceConflictException", `Alias already exists: ${aliasArn}`, 409),
  versionInUse: (aliases: readonly string[]) =>
    new AwsError(
      "ResourceConflictException",
      `Unable to delete version because the following aliases reference it: [${aliases.join(", ")}]`,
      409,
    ),
  /** Another change of `$LATEST` while its last update is still InProgress. */
  updateInProgress: (arn: string) =>
    new AwsError(
      "ResourceConflictException",
      `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`,
      409,
    ),
  invalidParameter: (message: string) => new AwsError("InvalidParameterValueException", message, 400),
  /** PutFunctionConcurrency beyond the account's unreserved minimum; Lambda's body has no `Type`. */
  unreservedBelowMinimum: (minimum: number) =>
    new AwsError(
      "InvalidParameterValueException",
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`,
      400,
      { Type: undefined },
    ),
  /** A function ARN of another Region: Lambda serves each Region's functions only there. */
  otherRegion: (region: string, here: string) =>
    notFoundError(`Functions from '${region}' are not reachable in this region ('${here}')`),
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
  /** A resource-based policy's RevisionId, which GetPolicy answers, not GetFunction's. */
  policyPreconditionFailed: () =>
    new AwsError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id",
      412,
    ),
  statementExists: (sid: string) =>
    new AwsError(
      "ResourceConflictException",
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      409,
    ),
  policyTooLong: (size: number, limit: number) =>
    new AwsError(
      "PolicyLengthExceededException",
      `The final policy size (${size}) is bigger than the limit (${limit}).`,
      400,
    ),
  /** A taggable resource of a kind Jeff does not have: "Event source mapping not found: arn:…". */
  taggableNotFound: (what: string, arn: string) => notFoundError(`${what}: ${arn}`),
  /** GetPolicy's answer for a function, version or alias without a policy, or not there at all. */
  noSuchResource: () => notFoundError("The resource you requested does not exist."),
  /** RemovePermission on a function that is not there. */
  noPolicyFor: (arn: string) => notFoundError(`No policy found for: ${arn}`),
  /** RemovePermission on a function, version or alias without a policy. */
  noPolicy: () => notFoundError("No policy is associated with the given resource."),
  noStatement: (sid: string) => notFoundError(`Statement ${sid} is not found in resource policy.`),
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
