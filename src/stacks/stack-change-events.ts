/**
 * CloudFormation's own change events, as AWS's CloudFormation sends them to EventBridge: "CloudFormation
 * Stack Status Change" when a stack's status changes, "CloudFormation Resource Status Change" when
 * a resource's does. One is built for every stack event the engine records, and written in the
 * same transaction, so the outbox says exactly what `DescribeStackEvents` says.
 */
import { type ChangeEvent, changeEvent } from "../operations/index.js";

export const stackStatusChange = "CloudFormation Stack Status Change";
export const resourceStatusChange = "CloudFormation Resource Status Change";

/** A stack event as the engine records it: the stack's own (its physical id is the stack id) or a resource's. */
export interface RecordedStackEvent {
  readonly stackId: string;
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly resourceType: string;
  readonly status: string;
  readonly reason?: string;
}

/** The account and region in a stack id (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`). */
function stackIdParts(stackId: string): { region: string; account: string } {
  const [, , , region = "", account = ""] = stackId.split(":");
  return { region, account };
}

/**
 * The change event for one recorded stack event. AWS always sends `status-reason` and
 * `client-request-token` (empty when there is none); Jeff takes no client request tokens, so that
 * one is always empty.
 */
export function stackChangeEvent(event: RecordedStackEvent, time = new Date()): ChangeEvent {
  const statusDetails = { status: event.status, "status-reason": event.reason ?? "" };
  const isStack = event.physicalId === event.stackId;
  return changeEvent({
    source: "aws.cloudformation",
    ...stackIdParts(event.stackId),
    time,
    resources: [event.stackId],
    ...(isStack
      ? {
          detailType: stackStatusChange,
          detail: {
            "stack-id": event.stackId,
            "status-details": statusDetails,
            "client-request-token": "",
          },
        }
      : {
          detailType: resourceStatusChange,
          detail: {
            "stack-id": event.stackId,
            "logical-resource-id": event.logicalId,
            "physical-resource-id": event.physicalId ?? "",
            "status-details": statusDetails,
            "resource-type": event.resourceType,
            "client-request-token": "",
          },
        }),
  });
}
