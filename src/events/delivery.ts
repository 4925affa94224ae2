/**
 * Delivering an event to one target of one rule: a job of kind `events.deliver` on the one work
 * queue, enqueued in the PutEvents call's transaction. The target's kind (its ARN's service) finds
 * its handler in the EventTargets registry: a function is invoked as AWS invokes it
 * (asynchronously, as `events.amazonaws.com`), its queued invocation committed with this job's
 * completion; another bus gets the event in the same way; an API destination gets its HTTP request. A failed attempt is retried
 * with the queue's exponential backoff and jitter within the target's RetryPolicy (by default 185
 * retries over 24 hours); one that exhausts it, or that can never succeed, goes to the target's
 * dead-letter queue (kept in the store under the queue's ARN until Jeff has queues) with the
 * attributes AWS adds, or is dropped.
 */
import { randomUUID } from "node:crypto";
import { type Job, RetryAfterError } from "../queue/index.js";
import type { SqlExecutor, Store } from "../store/index.js";
import { keepDeadLetter } from "./dead-letters.js";
import { type Delivery, retryPolicyOf } from "./delivery-job.js";
import type { DeliveryMetrics } from "./delivery-metrics.js";
import { type EventTargets, TargetFailure, targetKindOf } from "./event-targets.js";
import { shapeInput } from "./input/index.js";
import { type EventEnvelope, eventTime } from "./put-events.js";

export interface DelivererOptions {
  readonly store: Store;
  readonly metrics: DeliveryMetrics;
  readonly targets: EventTargets;
  readonly now?: () => number;
}

export class Deliverer {
  private readonly now: () => number;

  constructor(private readonly options: DelivererOptions) {
    this.now = options.now ?? Date.now;
  }

  async handle(job: Job<Delivery>): Promise<void> {
    const delivery = job.payload;
    const { metrics } = this.options;
    const policy = retryPolicyOf(delivery.target);
    const ageMs = this.now() - delivery.ingestedAt;
    if (ageMs > policy.maximumEventAgeInSeconds * 1000) {
      const last = job.previousError ?? "The event is older than its target's MaximumEventAgeInSeconds.";
      await this.giveUp(job, new TargetFailure("TIMEOUT", last, false), "MaximumEventAgeInSeconds");
      return;
    }
    try {
      await this.deliver(job);
      metrics.delivered(delivery.ruleArn);
    } catch (error) {
      // A target over its rate waits its turn on the queue; the wait is no attempt.
      if (error instanceof RetryAfterError) {
        metrics.throttled(delivery.ruleArn);
        throw error;
      }
      const failure =
        error instanceof TargetFailure
          ? error
          : new TargetFailure(
              "SDK_CLIENT_ERROR",
              error instanceof Error ? error.message : String(error),
              true,
            );
      metrics.failed(delivery.ruleArn);
      if (!failure.retriable) return this.giveUp(job, failure, "MaximumRetryAttempts");
      if (job.attempt >= job.maxAttempts) return this.giveUp(job, failure, "MaximumRetryAttempts");
      metrics.retried(delivery.ruleArn);
      throw failure;
    }
  }

  /** One attempt: hands the shaped event to its target's handler, which completes the job. */
  private async deliver(job: Job<Delivery>): Promise<void> {
    const delivery = job.payload;
    const { target } = delivery;
    const complete = async (tx: SqlExecutor) => {
      if (!(await job.completeIn(tx))) throw new Error("the delivery's lease was lost");
    };
    const handler = this.options.targets.handlerFor(target.Arn);
    if (handler === undefined) {
      throw new TargetFailure(
        "INVALID_PARAMETER",
        `Jeff does not deliver to ${targetKindOf(target.Arn) || target.Arn} targets yet.`,
        false,
      );
    }
    const event = JSON.parse(delivery.event) as EventEnvelope;
    const shaped = shapeInput(target, event as unknown as Record<string, unknown>, {
      ruleArn: delivery.ruleArn,
      ruleName: delivery.ruleName,
      ingestionTime: eventTime(delivery.ingestedAt),
    });
    // What AWS would not deliver (an InputPath that selects nothing, a template that is not JSON
    // once filled in) is delivered nowhere, and the delivery is done.
    if (!shaped.delivered) {
      await this.options.store.transaction(complete);
      return;
    }
    await handler({
      target,
      input: shaped.input,
      event,
      scope: { accountId: delivery.accountId, region: delivery.region },
      ruleArn: delivery.ruleArn,
      complete,
    });
  }

  /** Ends the delivery: to the target's dead-letter queue when it has one, else dropped. */
  private async giveUp(job: Job<Delivery>, failure: TargetFailure, condition: string): Promise<void> {
    const delivery = job.payload;
    const deadLetterArn = (delivery.target.DeadLetterConfig as { Arn?: string } | undefined)?.Arn;
    await this.options.store.transaction(async (tx) => {
      if (deadLetterArn !== undefined) {
        await keepDeadLetter(tx, {
          id: randomUUID(),
          accountId: delivery.accountId,
          region: delivery.region,
          queueArn: deadLetterArn,
          body: delivery.event,
          attributes: {
            RULE_ARN: delivery.ruleArn,
            TARGET_ARN: delivery.target.Arn,
            ERROR_CODE: failure.errorCode,
            ERROR_MESSAGE: failure.message,
            EXHAUSTED_RETRY_CONDITION: condition,
            RETRY_ATTEMPTS: String(job.attempt - 1),
          },
          sentAt: this.now(),
        });
      }
      if (!(await job.completeIn(tx))) throw new Error("the delivery's lease was lost");
    });
    if (deadLetterArn !== undefined) this.options.metrics.deadLettered(delivery.ruleArn);
    else this.options.metrics.dropped(delivery.ruleArn);
  }
}
