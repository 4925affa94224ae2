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
import { AuditBatcher, type AuditEntry, appendAuditEntries } from "./audit-trail.js";
import { buildRecord } from "./cloudtrail-record.js";
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
    const { store } = this.options;
    if (traits.dataEvent === true && this.options.recordDataEvents !== true) {
      // The warm invoke path: authorised, but nothing to record unless a trail asks for data events.
      await this.options.authorise?.(call, traits.action, []);
      return work(this.plainTransaction);
    }
    const parameters = params();
    const resources = traits.resources(parameters, call);
    const time = new Date();
    const eventId = timeOrderedUuid(time.getTime());
    const entryFor = (outcome: {
      response?: unknown;
      error?: { code: string; message: string };
    }): AuditEntry => ({
      record: buildRecord({ call, traits, eventId, time, params: parameters, resources, ...outcome }),
      resources,
      timeMs: time.getTime(),
    });
    const record = async (tx: SqlExecutor, entry: AuditEntry, response: unknown) => {
      await appendAuditEntries(tx, [entry]);
      if (traits.readOnly) return;
      const ownEvents =
        entry.record.errorCode === undefined ? (traits.changeEvents?.(parameters, response, call) ?? []) : [];
      const source = `aws.${call.service}`;
      const envelope = { source, account: call.caller.accountId, region: call.region, time };
      await appendChangeEvents(tx, [
        changeEvent({ ...envelope, detailType: "AWS API Call via CloudTrail", detail: entry.record }),
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
    let committed = false;
    const transaction: CallTransaction = async (fn) => {
      if (traits.readOnly || committed) return store.transaction(fn);
      const result = await store.transaction(async (tx) => {
        const value = await fn(tx);
        await record(tx, entryFor({ response: value }), value);
        return value;
      });
      committed = true;
      this.options.outboxSignal.notify();
      return result;
    };
    try {
      await this.options.authorise?.(call, traits.action, resources);
      const result = await work(transaction);
      if (traits.readOnly) this.batcher.add(entryFor({}));
      else if (!committed) {
        // A mutation that wrote nothing through its call's transaction (a no-op) is still recorded.
        await store.transaction((tx) => record(tx, entryFor({ response: result }), result));
        this.options.outboxSignal.notify();
      }
      return result;
    } catch (error) {
      if (committed) throw error;
      const failure = isAwsError(error) ? error : commonErrors.internal();
      const entry = entryFor({ error: { code: failure.code, message: failure.message } });
      if (traits.readOnly) this.batcher.add(entry);
      else {
        await store
          .transaction((tx) => record(tx, entry, undefined))
          .then(() => this.options.outboxSignal.notify())
          .catch((recordError: unknown) =>
            this.options.logger.error("could not record a failed call in the audit trail", {
              requestId: call.requestId,
              error: recordError,
            }),
          );
      }
      throw error;
    }
  }
}
