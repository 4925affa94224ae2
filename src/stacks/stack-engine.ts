/**
 * Applies templates as named stacks: creates, updates and deletes the resources that changed, in
 * dependency order, records every step with CloudFormation's status names, and undoes what the
 * running operation did when a step fails. A request is acknowledged once the stack's new state is
 * committed together with the queue job that will work through the resources, as on AWS, in the
 * background (`stack-operation-job.ts`).
 */
import { randomUUID } from "node:crypto";
import type { OutboxSignal } from "../operations/index.js";
import type { Logger } from "../ops/index.js";
import { AwsError, type CallTransaction } from "../protocol/index.js";
import type { KindOptions, WorkQueue } from "../queue/index.js";
import { type SqlExecutor, type Store, StoreConflictError } from "../store/index.js";
import type { ResourceRegistry } from "../templates/index.js";
import {
  type DeployInput,
  type PlannedStack,
  planDeployment,
  summarizeTemplate,
  type TemplateSummary,
} from "./plan.js";
import { sameJson } from "./stable-json.js";
import {
  type StackOperationPayload,
  StackOperationRunner,
  stackOperationKind,
} from "./stack-operation-job.js";
import { stackEvent } from "./stack-operations.js";
import {
  addEvent,
  findStack,
  insertStack,
  type StackRecord,
  type StackScope,
  setOperationJob,
  setStackCaller,
  setStackStatus,
  stacksInProgressWithoutJob,
} from "./stack-records.js";

export type { DeployInput } from "./plan.js";

const stackNamePattern = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

export const stackErrors = {
  validation: (message: string) => new AwsError("ValidationError", message),
  notFound: (name: string) => new AwsError("ValidationError", `Stack with id ${name} does not exist`),
  alreadyExists: (name: string) => new AwsError("AlreadyExistsException", `Stack [${name}] already exists`),
  noUpdates: () => new AwsError("ValidationError", "No updates are to be performed."),
  busy: (stack: StackRecord, verb: string) =>
    new AwsError(
      "ValidationError",
      `Stack:${stack.stackId} is in ${stack.status} state and can not be ${verb}.`,
    ),
} as const;

export interface StackEngineOptions {
  readonly store: Store;
  readonly registry: ResourceRegistry;
  readonly logger: Logger;
  /** Where stack operations run: register `operationKind` on it as `stackOperationKind`. */
  readonly queue: WorkQueue;
  /** Woken after every commit that wrote CloudFormation's change events. */
  readonly outboxSignal: OutboxSignal;
}

export class StackEngine {
  private readonly store: Store;
  private readonly registry: ResourceRegistry;
  private readonly logger: Logger;
  private readonly queue: WorkQueue;
  private readonly runner: StackOperationRunner;
  private readonly running = new Set<Promise<void>>();

  /** Where a call made outside the call path (a test) commits. */
  private readonly ownTransaction: CallTransaction;

  /**
   * How the queue runs stack operations. Several attempts, so that an operation whose run was
   * interrupted is finished by the next (the queue buries a job whose last attempt was).
   */
  readonly operationKind: KindOptions<StackOperationPayload> = {
    handle: (job) => this.track(this.runner.run(job)),
    concurrency: 8,
    maxAttempts: 5,
  };

  constructor(options: StackEngineOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.logger = options.logger;
    this.queue = options.queue;
    this.runner = new StackOperationRunner(this.store, this.registry, this.logger, options.outboxSignal);
    this.ownTransaction = async (work) => {
      const result = await this.store.transaction(work);
      options.outboxSignal.notify();
      return result;
    };
  }

  /** Starts creating a stack; resolves with its id once the stack exists in CREATE_IN_PROGRESS. */
  async create(scope: StackScope, input: DeployInput, transaction = this.ownTransaction): Promise<string> {
    checkStackName(input.stackName);
    const stackId = newStackId(scope, input.stackName);
    const plan = this.plan(scope, stackId, input, {});
    try {
      await transaction(async (tx) => {
        if (await findStack(tx, scope, input.stackName)) throw stackErrors.alreadyExists(input.stackName);
        await insertStack(tx, {
          stackId,
          ...scope,
          stackName: input.stackName,
          status: "CREATE_IN_PROGRESS",
          templateBody: input.templateBody,
          parameters: plan.parameters,
          noEcho: plan.noEcho,
          ...(plan.description !== undefined ? { description: plan.description } : {}),
          ...(scope.caller ? { caller: scope.caller } : {}),
        });
        await addEvent(tx, stackEvent(stackId, input.stackName, "CREATE_IN_PROGRESS", "User Initiated"));
        await this.enqueue(tx, { stackId, operation: "create" });
        return { StackId: stackId };
      });
    } catch (error) {
      // Another create of the same name won the race (the live-name index refused this one).
      if (error instanceof StoreConflictError) throw stackErrors.alreadyExists(input.stackName);
      throw error;
    }
    this.queue.wake();
    return stackId;
  }

  /** Starts updating a stack; resolves with its id once it is in UPDATE_IN_PROGRESS. */
  async update(scope: StackScope, input: DeployInput, transaction = this.ownTransaction): Promise<string> {
    const stack = await findStack(this.store, scope, input.stackName);
    if (!stack || stack.deletedAt) throw stackErrors.notFound(input.stackName);
    if (!["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"].includes(stack.status)) {
      throw stackErrors.busy(stack, "updated");
    }
    const plan = this.plan(scope, stack.stackId, input, stack.parameters);
    if (input.templateBody === stack.templateBody && sameJson(plan.parameters, stack.parameters)) {
      throw stackErrors.noUpdates();
    }
    await transaction(async (tx) => {
      const latest = await findStack(tx, scope, stack.stackId);
      if (latest?.status !== stack.status) throw stackErrors.busy(latest ?? stack, "updated");
      await setStackStatus(tx, stack.stackId, "UPDATE_IN_PROGRESS", "User Initiated");
      await setStackCaller(tx, stack.stackId, scope.caller);
      await addEvent(tx, stackEvent(stack.stackId, stack.stackName, "UPDATE_IN_PROGRESS", "User Initiated"));
      await this.enqueue(tx, {
        stackId: stack.stackId,
        operation: "update",
        templateBody: input.templateBody,
        parameters: plan.parameters,
      });
      return { StackId: stack.stackId };
    });
    this.queue.wake();
    return stack.stackId;
  }

  /** Starts deleting a stack. Deleting one that does not exist succeeds, as on AWS. */
  async delete(scope: StackScope, stackName: string, transaction = this.ownTransaction): Promise<void> {
    // Read and claim in one transaction, so two deletes (or a delete and an update) cannot both start.
    const started = await transaction(async (tx) => {
      const found = await findStack(tx, scope, stackName);
      if (!found || found.deletedAt || found.status === "DELETE_IN_PROGRESS") return false;
      if (found.status.endsWith("_IN_PROGRESS")) throw stackErrors.busy(found, "deleted");
      await setStackStatus(tx, found.stackId, "DELETE_IN_PROGRESS", "User Initiated");
      await setStackCaller(tx, found.stackId, scope.caller);
      await addEvent(tx, stackEvent(found.stackId, found.stackName, "DELETE_IN_PROGRESS", "User Initiated"));
      await this.enqueue(tx, { stackId: found.stackId, operation: "delete" });
      return true;
    });
    if (started) this.queue.wake();
  }

  /**
   * Gives a job to every stack an older Jeff left in progress, from before stack operations were
   * queue jobs, so the queue finishes them as it finishes an interrupted job. (Operations started
   * since have their job already; the queue resumes those by itself.)
   */
  async recover(): Promise<void> {
    for (const stack of await stacksInProgressWithoutJob(this.store)) {
      this.logger.warn("an earlier Jeff left a stack in progress; queueing its recovery", {
        stack: stack.stackName,
        status: stack.status,
      });
      await this.store.transaction((tx) => this.enqueue(tx, { stackId: stack.stackId, operation: "finish" }));
    }
    this.queue.wake();
  }

  /** ValidateTemplate: the template's parameters and description, or a ValidationError naming every problem. */
  validate(templateBody: string): TemplateSummary {
    return summarizeTemplate(templateBody, this.registry);
  }

  /**
   * Resolves when no stack operation is running on this node. Shutdown waits for it before closing
   * the store: the queue stops waiting for its jobs after its own timeout, the engine does not.
   */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Enqueues the stack's operation and names the job as the one that may work on the stack. */
  private async enqueue(tx: SqlExecutor, payload: StackOperationPayload): Promise<void> {
    const { id } = await this.queue.enqueue(tx, { kind: stackOperationKind, payload });
    await setOperationJob(tx, payload.stackId, id);
  }

  private plan(
    scope: StackScope,
    stackId: string,
    input: DeployInput,
    previous: Record<string, string>,
  ): PlannedStack {
    return planDeployment(this.registry, scope, stackId, input, previous);
  }

  /** Keeps the run in `running` until it settles; the queue sees its outcome unchanged. */
  private track(run: Promise<void>): Promise<void> {
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run;
  }
}

function checkStackName(name: string): void {
  if (!stackNamePattern.test(name)) {
    throw stackErrors.validation(
      `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
    );
  }
}

function newStackId(scope: StackScope, name: string): string {
  return `arn:aws:cloudformation:${scope.region}:${scope.accountId}:stack/${name}/${randomUUID()}`;
}
