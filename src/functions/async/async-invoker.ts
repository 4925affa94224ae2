/**
 * Asynchronous invocation, as Lambda does it, as the handler of the work queue's
 * `lambda.async-invoke` jobs: an `Event` invoke is a job committed before the caller hears 202; a
 * function error is retried (MaximumRetryAttempts, waiting longer each time) until the function
 * succeeds, runs out of retries or the event grows older than MaximumEventAgeInSeconds; the outcome
 * goes to the OnSuccess / OnFailure destination in Lambda's record format.
 *
 * One job is one attempt. Lambda counts the attempts that ran to an outcome, while the queue counts
 * an attempt when it claims one, so a crash mid-invocation would cost an event one of its retries.
 * So a retry is a new job carrying the count, enqueued in the transaction that completes the
 * attempt before it; the queue's own retries are for what is not the function's doing (a throttle,
 * the store failing, an interrupted attempt) and never count as Lambda's.
 */
import type { Logger } from "../../ops/index.js";
import { isAwsError } from "../../protocol/index.js";
import { type Job, RetryAfterError, type WorkQueue } from "../../queue/index.js";
import type { SqlExecutor, Store } from "../../store/index.js";
import type {
  ConcurrencyGate,
  EnvironmentPool,
  FunctionMetrics,
  InvocationResult,
} from "../execution/index.js";
import { recordInvocationLog, specOf } from "../execution/index.js";
import type { FunctionRecord } from "../records/index.js";
import {
  asyncDefaults,
  type EventInvokeConfig,
  findEventInvokeConfig,
  resolveVersion,
} from "../records/index.js";
import { type Condition, deliverRecord, destinationRecord, type PutOnBus } from "./async-destination.js";
import { type AsyncEvent, asAsyncEvent, asyncEventJob } from "./async-event.js";

export interface AsyncInvokerOptions {
  readonly store: Store;
  readonly queue: WorkQueue;
  readonly pool: EnvironmentPool;
  readonly gate: ConcurrencyGate;
  readonly logger: Logger;
  readonly metrics: FunctionMetrics;
  /** The wait before retry number `attempt` (1-based); Lambda waits about a minute, then two. */
  readonly retryDelayMs: (attempt: number) => number;
  /** How destination records reach an EventBridge bus (the events subsystem's, once it is open). */
  readonly putOnBus: () => PutOnBus | undefined;
}

/** How soon a throttled event is tried again: Lambda, too, requeues throttled events. */
const throttleDelayMs = 1000;

export class AsyncInvoker {
  constructor(private readonly options: AsyncInvokerOptions) {}

  /** Runs one attempt of the job's event and settles what follows it. */
  async handle(job: Job): Promise<void> {
    const { store, logger } = this.options;
    const event = asAsyncEvent(job.payload);
    const scope = { accountId: event.accountId, region: event.region };
    const resolved = await resolveVersion(store, scope, event.functionName, event.version);
    if (!resolved) {
      logger.warn("dropping an event for a function or version that no longer exists", {
        requestId: event.requestId,
        function: event.functionName,
        version: event.version,
      });
      return;
    }
    const { record } = resolved;
    const qualifier = event.qualifier ?? "$LATEST";
    const config: EventInvokeConfig =
      (await findEventInvokeConfig(store, scope, record.name, qualifier)) ?? asyncDefaults;
    const maximumEventAgeSeconds = config.maximumEventAgeSeconds ?? asyncDefaults.maximumEventAgeSeconds;
    const maximumRetryAttempts = config.maximumRetryAttempts ?? asyncDefaults.maximumRetryAttempts;
    if (Date.now() - event.receivedAt > maximumEventAgeSeconds * 1000) {
      await this.#finish(job, event, record, "EventAgeExceeded", undefined, config.onFailure);
      return;
    }
    const result = await this.#invoke(job, event, record);
    const tried = { ...event, invocations: event.invocations + 1 };
    if (!result.functionError) {
      await this.#finish(job, tried, record, "Success", result, config.onSuccess);
    } else if (tried.invocations > maximumRetryAttempts) {
      await this.#finish(job, tried, record, "RetriesExhausted", result, config.onFailure);
    } else {
      const retryAt = Date.now() + this.options.retryDelayMs(tried.invocations);
      await this.#completeWith(job, (tx) => this.options.queue.enqueue(tx, asyncEventJob(tried, retryAt)));
    }
  }

  /** One invocation within the concurrency limits; over them, the job waits without losing an attempt. */
  async #invoke(job: Job, event: AsyncEvent, record: FunctionRecord): Promise<InvocationResult> {
    const { store, pool, gate, logger, metrics } = this.options;
    let release: () => void;
    try {
      release = gate.acquire(record.arn, record.reservedConcurrency);
    } catch (error) {
      if (!isAwsError(error)) throw error;
      throw new RetryAfterError(`throttled: ${error.message}`, throttleDelayMs, { countsAsAttempt: false });
    }
    let result: InvocationResult;
    try {
      result = await pool.invoke(specOf(record, event.version), {
        payload: Buffer.from(event.payload),
        requestId: event.requestId,
        invokedFunctionArn: event.qualifier ? `${record.arn}:${event.qualifier}` : record.arn,
      });
    } catch (error) {
      // The queue stopped waiting for this attempt (Jeff is stopping): it runs again, uncounted.
      if (job.signal.aborted) {
        const message = "the queue stopped before the invocation ended";
        throw new RetryAfterError(message, 0, { countsAsAttempt: false, cause: error });
      }
      throw error;
    } finally {
      release();
    }
    metrics.invoked(record.name, "Event", result);
    recordInvocationLog(store, { accountId: event.accountId, region: event.region }, record, result, logger);
    return result;
  }

  /** The event is done: its record goes to the destination, if there is one, as the job completes. */
  async #finish(
    job: Job,
    event: AsyncEvent,
    record: FunctionRecord,
    condition: Condition,
    result: InvocationResult | undefined,
    destinationArn: string | undefined,
  ): Promise<void> {
    if (!destinationArn) return; // resolving completes the job
    const destination = destinationRecord(event, record, condition, result);
    let taken = true;
    await this.#completeWith(job, async (tx) => {
      taken = await deliverRecord(tx, this.options, event, condition, destination, destinationArn);
    });
    // Counted once committed: a transaction that rolled back decided nothing.
    if (!taken) this.options.metrics.destinationDeliveryFailed(record.name);
  }

  /** Completes the job in one transaction with `work`, so the two happen together or not at all. */
  async #completeWith(job: Job, work: (tx: SqlExecutor) => Promise<unknown>): Promise<void> {
    await this.options.store.transaction(async (tx) => {
      // Lost: another node has the job, so this attempt's effects must not commit.
      if (!(await job.completeIn(tx))) throw new Error("the job's lease was lost before it completed");
      await work(tx);
    });
    this.options.queue.wake();
  }
}
