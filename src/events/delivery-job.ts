/**
 * A delivery as the work queue holds it: one job of kind `events.deliver` per (event, target)
 * pair, carrying the event and the target as they were when the event matched, with as many
 * attempts as the target's RetryPolicy allows.
 */
import type { NewJob } from "../queue/index.js";
import type { TargetDefinition } from "./rule-records.js";

export const deliveryKind = "events.deliver";

/** A rule target's RetryPolicy defaults: 185 retries, for up to 24 hours. */
export const retryDefaults = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 } as const;

export interface Delivery {
  readonly accountId: string;
  readonly region: string;
  readonly busName: string;
  readonly ruleName: string;
  readonly ruleArn: string;
  /** The target as it was when the event matched. */
  readonly target: TargetDefinition;
  /** The event's envelope, as JSON text. */
  readonly event: string;
  /** When PutEvents accepted it (ms since the epoch): MaximumEventAgeInSeconds counts from here. */
  readonly ingestedAt: number;
}

interface RetryPolicy {
  readonly MaximumRetryAttempts?: number;
  readonly MaximumEventAgeInSeconds?: number;
}

export const retryPolicyOf = (target: TargetDefinition) => {
  const policy = (target.RetryPolicy ?? {}) as RetryPolicy;
  return {
    maximumRetryAttempts: policy.MaximumRetryAttempts ?? retryDefaults.maximumRetryAttempts,
    maximumEventAgeInSeconds: policy.MaximumEventAgeInSeconds ?? retryDefaults.maximumEventAgeInSeconds,
  };
};

export function deliveryJob(delivery: Delivery): NewJob {
  return {
    kind: deliveryKind,
    payload: delivery,
    maxAttempts: retryPolicyOf(delivery.target).maximumRetryAttempts + 1,
  };
}
