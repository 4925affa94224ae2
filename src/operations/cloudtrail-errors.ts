/** CloudTrail's errors: its codes, statuses and messages, in one place. */
import { AwsError } from "../protocol/index.js";

export const cloudTrailErrors = {
  attributes: (message: string) => new AwsError("InvalidLookupAttributesException", message),
  timeRange: () =>
    new AwsError("InvalidTimeRangeException", "Start time must be less than or equal to end time."),
  maxResults: () =>
    new AwsError("InvalidMaxResultsException", "MaxResults must be a number between 1 and 50."),
  nextToken: () => new AwsError("InvalidNextTokenException", "Invalid NextToken."),
  category: () => new AwsError("InvalidEventCategoryException", "EventCategory must be insight."),
  notATimestamp: (field: string) => new AwsError("SerializationException", `${field} must be a timestamp.`),
} as const;
