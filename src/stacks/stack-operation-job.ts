/**
 * A stack operation as a job on the work queue. CreateStack, UpdateStack and DeleteStack each
 * enqueue one in the transaction that sets the stack's *_IN_PROGRESS status and names the job as
 * the stack's (`operation_job`), so a job exists exactly when an operation was started. Its first
 * run records that it began, then runs the operation. A run that finds its operation begun before —
 * the earlier run was interrupted by a crash, or ended in an error — finishes it from the stack's
 * stored status instead: rolls back a create or an update, completes a cleanup or a delete.
 */
import type { OutboxSignal } from "../operations/index.js";
import type { Logger } from "../ops/index.js";
import type { Job } from "../queue/index.js";
import type { Store } from "../store/index.js";
import type { ResourceRegistry } from "../templates/index.js";
import { type PlannedStack, parameterInputsOf, planDeployment } from "./plan.js";
import { StackOperations } from "./stack-operations.js";
import {
  beginOperation,
  listResources,
  type StackRecord,
  type StackScope,
  stackById,
} from "./stack-records.js";

export const stackOperationKind = "cloudformation.stack-operation";

/** What a job asks for; an update carries its new template, which the stack takes on only once it succeeds. */
export type StartedOperation =
  | { readonly stackId: string; readonly operation: "create" | "delete" }
  | {
      readonly stackId: string;
      readonly operation: "update";
      readonly templateBody: string;
      /** The resolved values: planning with them again gives the plan the request was checked with. */
      readonly parameters: Readonly<Record<string, string>>;
    };

/** Or, for a stack an older Jeff left in progress with no job: finish it from its status. */
export type StackOperationPayload =
  | StartedOperation
  | { readonly stackId: string; readonly operation: "finish" };

const interruptedReason = "Jeff stopped during the operation";

export class StackOperationRunner {
  private readonly ops: StackOperations;

  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly logger: Logger,
    outboxSignal: OutboxSignal,
  ) {
    this.ops = new StackOperations(store, registry, logger, outboxSignal);
  }

  async run(job: Job<StackOperationPayload>): Promise<void> {
    const { payload } = job;
    const stack = await stackById(this.store, payload.stackId);
    // Over already (the run that ended it was cut off before the job completed), or not this job's.
    if (!stack || stack.operationJob !== job.id || !stack.status.endsWith("_IN_PROGRESS")) return;
    // The operation goes on as the principal who started it.
    const scope = {
      accountId: stack.accountId,
      region: stack.region,
      ...(stack.caller ? { caller: stack.caller } : {}),
    };
    if (payload.operation !== "finish" && (await beginOperation(this.store, stack.stackId, job.id))) {
      await this.start(scope, stack, payload);
      return;
    }
    this.logger.warn("finishing a stack operation that was interrupted", {
      stack: stack.stackName,
      status: stack.status,
      attempt: job.attempt,
      ...(job.previousError !== undefined ? { previousError: job.previousError } : {}),
    });
    const reason =
      job.previousError === undefined ? interruptedReason : `The operation failed: ${job.previousError}`;
    await this.finishInterrupted(scope, stack, reason);
  }

  private async start(scope: StackScope, stack: StackRecord, started: StartedOperation): Promise<void> {
    switch (started.operation) {
      case "create": {
        const plan = this.plan(scope, stack, stack.templateBody, stack.parameters);
        await this.ops.runCreate(scope, stack.stackId, stack.stackName, plan);
        return;
      }
      case "update": {
        const plan = this.plan(scope, stack, started.templateBody, started.parameters);
        const current = await listResources(this.store, stack.stackId);
        await this.ops.runUpdate(scope, stack, current, started.templateBody, plan);
        return;
      }
      case "delete":
        await this.ops.runDelete(scope, stack);
        return;
      default: {
        const unknown: never = started;
        throw new Error(`unknown stack operation ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** What a restart does with an operation it finds begun: decided by the stack's stored status. */
  private async finishInterrupted(scope: StackScope, stack: StackRecord, reason: string): Promise<void> {
    switch (stack.status) {
      case "CREATE_IN_PROGRESS":
      case "ROLLBACK_IN_PROGRESS":
        await this.ops.rollbackCreate(scope, stack, reason);
        break;
      case "UPDATE_IN_PROGRESS":
      case "UPDATE_ROLLBACK_IN_PROGRESS":
        await this.ops.rollbackUpdate(scope, stack, reason);
        break;
      case "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
      case "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
        await this.ops.cleanUp(
          scope,
          stack,
          stack.status.startsWith("UPDATE_ROLLBACK") ? "UPDATE_ROLLBACK_COMPLETE" : "UPDATE_COMPLETE",
          await this.resourcesToKeep(scope, stack),
        );
        break;
      case "DELETE_IN_PROGRESS":
        await this.ops.runDelete(scope, stack);
        break;
      default:
        break;
    }
  }

  /**
   * The resources a stack's stored template plans, for finishing an interrupted cleanup. If the
   * template no longer plans (a resource type went away), nothing is deleted.
   */
  private async resourcesToKeep(scope: StackScope, stack: StackRecord): Promise<ReadonlySet<string>> {
    try {
      const plan = this.plan(scope, stack, stack.templateBody, stack.parameters);
      return new Set(plan.resources.map((r) => r.logicalId));
    } catch (error) {
      this.logger.warn("cannot plan the stored template; keeping every resource", {
        stack: stack.stackName,
        error,
      });
      return new Set((await listResources(this.store, stack.stackId)).map((r) => r.logicalId));
    }
  }

  private plan(
    scope: StackScope,
    stack: StackRecord,
    templateBody: string,
    parameters: Readonly<Record<string, string>>,
  ): PlannedStack {
    const input = { stackName: stack.stackName, templateBody, parameters: parameterInputsOf(parameters) };
    return planDeployment(this.registry, scope, stack.stackId, input, {});
  }
}
