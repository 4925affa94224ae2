/**
 * The one path every AWS call takes, whoever makes it — the edge for a signed request, or Jeff on
 * a principal's behalf (a stack creating a function): authorise, run the handler, record the call.
 * A mutation's audit record and change events are written in the transaction that commits its
 * effect, so the three exist together or not at all; a failed or denied call is recorded too.
 */
import type { Logger } from "../ops/index.js";
import {
  type CallTransaction,
  commonErrors,
  isAwsError,
  type OperationCall,
  type OperationRunner,
  type OperationTraits,
  type ResourceRef,
} from "../protocol/index.js";
import type { SqlExecutor, Store } from "../store/index.js";
import { AuditBatcher, appendAuditEntries } from "./audit-trail.js";
import { type CallFacts, factsOf, recordOf } from "./cloudtrail-record.js";
import { appendChangeEvents, changeEvent, type OutboxSignal } from "./outbox.js";
import { timeOrderedUuid } from "./time-ordered-uuid.js";

/**
 * Decides whether a call may run; throws the AWS error to answer (AccessDenied) when it may not.
 * Jeff allows every authenticated call today; IAM policies fill this in.
 */
export type Authoriser = (
  call: OperationCall,
  action: string,
  resources: readonly ResourceRef[],
) => void | Promise<void>;

export interface CallPathOptions {
  readonly store: Store;
  readonly outboxSignal: OutboxSignal;
  readonly logger: Logger;
  readonly authorise?: Authoriser;
  /** Whether data events (invocations, log reads) are recorded: only when a trail selects them. */
  readonly recordDataEvents?: boolean;
}

export class CallPath implements OperationRunner {
  private readonly batcher: AuditBatcher;
  private readonly plainTransaction: CallTransaction;

  constructor(private readonly options: CallPathOptions) {
    this.batcher = new AuditBatcher(options.store, (error) =>
      options.logger.error("could not record read-only calls in the audit trail", { error }),
    );
    this.plainTransaction = (work) => options.store.transaction(work);
  }

  /** Commits read-only records still gathering; lookups and shutdown call it. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  async run<T>(
    call: OperationCall,
    traits: OperationTraits,
    params: () => Readonly<Record<string, unknown>>,
    work: (transaction: CallTransaction) => Promise<T>,
  ): Promise<T> {
    if (traits.dataEvent === true && this.options.recordDataEvents !== true) {
      // The warm invoke path: authorised, but nothing to record unless a trail asks for data events.
      await this.options.authorise?.(call, traits.action, []);
      return work(this.plainTransaction);
    }
    const parameters = params();
    const resources = traits.resources(parameters, call);
    const timeMs = Date.now();
    const eventId = timeOrderedUuid(timeMs);
    if (traits.readOnly) {
      // The hot path (every GetCallerIdentity): no closures, one facts object, recorded after the answer.
      let result: T;
      try {
        const authorised = this.options.authorise?.(call, traits.action, resources);
        if (authorised !== undefined) await authorised;
        result = await work(this.plainTransaction);
      } catch (error) {
        this.batcher.add(
          factsOf(call, traits, eventId, timeMs, parameters, resources, undefined, failureOf(error)),
        );
        throw error;
      }
      this.batcher.add(factsOf(call, traits, eventId, timeMs, parameters, resources, undefined, undefined));
      return result;
    }
    return this.mutate(call, traits, parameters, resources, timeMs, eventId, work);
  }

  /** A mutating call: its record and change events commit in the transaction of its effect. */
  private async mutate<T>(
    call: OperationCall,
    traits: OperationTraits,
    parameters: Readonly<Record<string, unknown>>,
    resources: readonly ResourceRef[],
    timeMs: number,
    eventId: string,
    work: (transaction: CallTransaction) => Promise<T>,
  ): Promise<T> {
    const { store } = this.options;
    const record = async (tx: SqlExecutor, facts: CallFacts, response: unknown) => {
      await appendAuditEntries(tx, [facts]);
      const ownEvents =
        facts.errorCode === undefined ? (traits.changeEvents?.(parameters, response, call) ?? []) : [];
      const source = `aws.${call.service}`;
      const envelope = {
        source,
        account: call.caller.accountId,
        region: call.region,
        time: new Date(timeMs),
      };
      await appendChangeEvents(tx, [
        changeEvent({ ...envelope, detailType: "AWS API Call via CloudTrail", detail: recordOf(facts) }),
        ...ownEvents.map((own) =>
          changeEvent({
            ...envelope,
            detailType: own.detailType,
            detail: own.detail,
            resources: own.resources ?? [],
          }),
        ),
      ]);
    };
    const succeeded = (response: unknown) =>
      factsOf(call, traits, eventId, timeMs, parameters, resources, response, undefined);
    let committed = false;
    const transaction: CallTransaction = async (fn) => {
      if (committed) return store.transaction(fn);
      const result = await store.transaction(async (tx) => {
        const value = await fn(tx);
        await record(tx, succeeded(value), value);
        return value;
      });
      committed = true;
      this.options.outboxSignal.notify();
      return result;
    };
    try {
      await this.options.authorise?.(call, traits.action, resources);
      const result = await work(transaction);
      if (!committed) {
        // A mutation that wrote nothing through its call's transaction (a no-op) is still recorded.
        await store.transaction((tx) => record(tx, succeeded(result), result));
        this.options.outboxSignal.notify();
      }
      return result;
    } catch (error) {
      if (committed) throw error;
      const facts = factsOf(
        call,
        traits,
        eventId,
        timeMs,
        parameters,
        resources,
        undefined,
        failureOf(error),
      );
      await store
        .transaction((tx) => record(tx, facts, undefined))
        .then(() => this.options.outboxSignal.notify())
        .catch((recordError: unknown) =>
          this.options.logger.error("could not record a failed call in the audit trail", {
            requestId: call.requestId,
            error: recordError,
          }),
        );
      throw error;
    }
  }
}

/** What a failed call's record says: its AWS error, or InternalFailure for anything unexpected. */
function failureOf(error: unknown): { code: string; message: string } {
  return isAwsError(error) ? error : commonErrors.internal();
}
