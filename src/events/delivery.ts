/**
 * Delivering an event to one target of one rule: a job of kind `events.deliver` on the one work
 * queue, enqueued in the PutEvents call's transaction. A function target is invoked as AWS
 * invokes it (asynchronously, as `events.amazonaws.com`), its queued invocation committed with
 * this job's completion; another bus gets the event in the same way. A failed attempt is retried
 * with the queue's exponential backoff and jitter within the target's RetryPolicy (by default 185
 * retries over 24 hours); one that exhausts it, or that can never succeed, goes to the target's
 * dead-letter queue (kept in the store under the queue's ARN until Jeff has queues) with the
 * attributes AWS adds, or is dropped.
 */
import { randomUUID } from "node:crypto";
import type { InvokeOnBehalf } from "../functions/index.js";
import { isAwsError } from "../protocol/index.js";
import type { Job, WorkQueue } from "../queue/index.js";
import type { SqlExecutor, Store } from "../store/index.js";
import { sendToApiDestination } from "./api-destination-delivery.js";
import type { BusMatchers } from "./bus-matcher.js";
import { keepDeadLetter } from "./dead-letters.js";
import { type Delivery, retryPolicyOf } from "./delivery-job.js";
import type { DeliveryMetrics } from "./delivery-metrics.js";
import { shapeInput } from "./input/index.js";
import { type EventEnvelope, eventTime, routeEvent } from "./put-events.js";

/** EventBridge's principal, as CloudTrail shows the calls it makes. */
export const eventsPrincipal = "events.amazonaws.com";

/** Why an attempt failed, in the words of AWS's dead-letter attributes. */
class DeliveryFailure extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    /** False for failures no retry can mend (the target does not exist). */
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** Which service a target ARN names, and for a bus, which bus. */
function targetKind(arn: string): { service: string; region: string; accountId: string; resource: string } {
  const [, , service = "", region = "", accountId = "", ...rest] = arn.split(":");
  return { service, region, accountId, resource: rest.join(":") };
}

export interface DelivererOptions {
  readonly store: Store;
  readonly queue: WorkQueue;
  readonly matchers: BusMatchers;
  readonly metrics: DeliveryMetrics;
  /** Present once the functions subsystem is open. */
  readonly invokeOnBehalf: () => InvokeOnBehalf | undefined;
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
      await this.giveUp(
        job,
        new DeliveryFailure("EVENT_EXPIRED", "The event is older than MaximumEventAgeInSeconds.", false),
        "MaximumEventAgeInSeconds",
      );
      return;
    }
    try {
      await this.deliver(job);
      metrics.delivered(delivery.ruleArn);
    } catch (error) {
      const failure =
        error instanceof DeliveryFailure
          ? error
          : new DeliveryFailure(
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

  /** One attempt: hands the event to the target, committing the hand-over with the job's completion. */
  private async deliver(job: Job<Delivery>): Promise<void> {
    const delivery = job.payload;
    const { target } = delivery;
    const event = JSON.parse(delivery.event) as EventEnvelope;
    const arn = targetKind(target.Arn);
    const complete = async (tx: SqlExecutor) => {
      if (!(await job.completeIn(tx))) throw new Error("the delivery's lease was lost");
    };
    if (arn.service === "events" && arn.resource.startsWith("event-bus/")) {
      // Another bus gets the event itself, to match against its own rules.
      const busName = arn.resource.slice("event-bus/".length);
      await this.options.store.transaction(async (tx) => {
        await routeEvent(
          tx,
          this.options,
          { accountId: arn.accountId, region: arn.region },
          busName,
          event,
          this.now(),
        );
        await complete(tx);
      });
      return;
    }
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
    if (arn.service === "lambda") {
      const invoke = this.options.invokeOnBehalf();
      if (invoke === undefined)
        throw new DeliveryFailure("SDK_CLIENT_ERROR", "functions are not running", true);
      try {
        await invoke({
          functionArn: target.Arn,
          payload: Buffer.from(shaped.input),
          invokedBy: eventsPrincipal,
          alsoCommit: complete,
        });
      } catch (error) {
        // As on AWS, a target that does not exist is not retried: the event goes to the
        // dead-letter queue at once.
        if (isAwsError(error) && error.code === "ResourceNotFoundException") {
          throw new DeliveryFailure("NO_RESOURCE", error.message, false);
        }
        if (isAwsError(error) && error.code === "TooManyRequestsException") {
          throw new DeliveryFailure("THROTTLING", error.message, true);
        }
        if (isAwsError(error) && error.status < 500) {
          throw new DeliveryFailure("INVALID_PARAMETER", `${error.code}: ${error.message}`, false);
        }
        throw error;
      }
      return;
    }
    if (arn.service === "events" && arn.resource.startsWith("api-destination/")) {
      const scope = { accountId: delivery.accountId, region: delivery.region };
      const outcome = await sendToApiDestination(this.options.store, scope, target, shaped.input);
      if (!outcome.delivered)
        throw new DeliveryFailure(outcome.errorCode, outcome.message, outcome.retriable);
      await this.options.store.transaction(complete);
      return;
    }
    throw new DeliveryFailure(
      "INVALID_PARAMETER",
      `Jeff does not deliver to ${arn.service === "" ? target.Arn : `${arn.service} targets`} yet.`,
      false,
    );
  }

  /** Ends the delivery: to the target's dead-letter queue when it has one, else dropped. */
  private async giveUp(job: Job<Delivery>, failure: DeliveryFailure, condition: string): Promise<void> {
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
