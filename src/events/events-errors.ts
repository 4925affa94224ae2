/** EventBridge's errors: its codes, statuses and messages, in one place. */
import { AwsError } from "../protocol/index.js";

const validation = (message: string) => new AwsError("ValidationException", message, 400);

export const eventsErrors = {
  validation,
  busNotFound: (name: string) =>
    new AwsError("ResourceNotFoundException", `Event bus ${name} does not exist.`),
  busExists: (name: string) =>
    new AwsError("ResourceAlreadyExistsException", `Event bus ${name} already exists.`),
  deleteDefaultBus: () => validation("Cannot delete event bus default."),
  ruleNotFound: (name: string, bus: string) =>
    new AwsError("ResourceNotFoundException", `Rule ${name} does not exist on EventBus ${bus}.`),
  ruleHasTargets: () => validation("Rule can't be deleted since it has targets."),
  patternOrSchedule: () => validation("Parameter(s) EventPattern or ScheduleExpression must be specified."),
  scheduleOnlyOnDefault: () => validation("ScheduleExpression is supported only on the default event bus."),
  scheduleNotValid: () => validation("Parameter ScheduleExpression is not valid."),
  limitExceeded: () =>
    new AwsError("LimitExceededException", "The requested resource exceeds the maximum number allowed."),
  requestTooLarge: () => validation("Total size of the entries in the request is over the limit."),
  invalidArn: (arn: string) =>
    validation(`Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`),
  duplicateTagKeys: () => validation("Invalid parameter: Duplicated keys are not allowed."),
  statementIdRequired: () => validation("Parameter StatementId is required."),
  statementNotFound: () =>
    new AwsError("ResourceNotFoundException", "Statement with the provided id does not exist."),
  invalidNextToken: () => validation("The NextToken provided is invalid."),
  managedRule: (name: string) =>
    new AwsError(
      "ManagedRuleException",
      `Rule '${name}' is managed by an AWS service can only be modified if force is True.`,
    ),
} as const;

/** A PutEvents entry refused alone, with the code and message AWS gives it in the answer. */
export const entryErrors = {
  required: (field: "Source" | "DetailType" | "Detail") => ({
    ErrorCode: "InvalidArgument",
    ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
  }),
  malformedDetail: () => ({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." }),
} as const;
