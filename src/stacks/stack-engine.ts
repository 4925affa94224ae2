/**
 * Applies templates as named stacks: creates, updates and deletes the resources that changed, in
 * dependency order, records every step with CloudFormation's status names, and undoes what the
 * running operation did when a step fails. A request is acknowledged once the stack's new state is
 * committed; the resources are then worked through in the background, as on AWS.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../ops/index.js";
import { AwsError, type CallTransaction } from "../protocol/index.js";
import { type Store, StoreConflictError } from "../store/index.js";
import type { ResourceRegistry } from "../templates/index.js";
import {
  type PlannedStack,
  planStack,
  type StackParameterInput,
  summarizeTemplate,
  type TemplateSummary,
} from "./plan.js";
import { sameJson } from "./stable-json.js";
import { StackOperations, stackEvent } from "./stack-operations.js";
import {
  addEvent,
  findStack,
  insertStack,
  listResources,
  type StackRecord,
  type StackScope,
  setStackCaller,
  setStackStatus,
  stacksInProgress,
} from "./stack-records.js";

export interface DeployInput {
  readonly stackName: string;
  readonly templateBody: string;
  readonly parameters: readonly StackParameterInput[];
}

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

export class StackEngine {
  private readonly running = new Set<Promise<void>>();
  private readonly ops: StackOperations;

  /** Where a call made outside the call path (a test, recovery) commits. */
  private readonly ownTransaction: CallTransaction = (work) => this.store.transaction(work);

  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly logger: Logger,
  ) {
    this.ops = new StackOperations(store, registry, logger);
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
        return { StackId: stackId };
      });
    } catch (error) {
      // Another create of the same name won the race (the live-name index refused this one).
      if (error instanceof StoreConflictError) throw stackErrors.alreadyExists(input.stackName);
      throw error;
    }
    this.background(this.ops.runCreate(scope, stackId, input.stackName, plan));
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
    const current = await listResources(this.store, stack.stackId);
    if (input.templateBody === stack.templateBody && sameJson(plan.parameters, stack.parameters)) {
      throw stackErrors.noUpdates();
    }
    await transaction(async (tx) => {
      const latest = await findStack(tx, scope, stack.stackId);
      if (latest?.status !== stack.status) throw stackErrors.busy(latest ?? stack, "updated");
      await setStackStatus(tx, stack.stackId, "UPDATE_IN_PROGRESS", "User Initiated");
      await setStackCaller(tx, stack.stackId, scope.caller);
      await addEvent(tx, stackEvent(stack.stackId, stack.stackName, "UPDATE_IN_PROGRESS", "User Initiated"));
      return { StackId: stack.stackId };
    });
    this.background(this.ops.runUpdate(scope, stack, current, input.templateBody, plan));
    return stack.stackId;
  }

  /** Starts deleting a stack. Deleting one that does not exist succeeds, as on AWS. */
  async delete(scope: StackScope, stackName: string, transaction = this.ownTransaction): Promise<void> {
    // Read and claim in one transaction, so two deletes (or a delete and an update) cannot both start.
    const stack = await transaction(async (tx) => {
      const found = await findStack(tx, scope, stackName);
      if (!found || found.deletedAt || found.status === "DELETE_IN_PROGRESS") return undefined;
      if (found.status.endsWith("_IN_PROGRESS")) throw stackErrors.busy(found, "deleted");
      await setStackStatus(tx, found.stackId, "DELETE_IN_PROGRESS", "User Initiated");
      await setStackCaller(tx, found.stackId, scope.caller);
      await addEvent(tx, stackEvent(found.stackId, found.stackName, "DELETE_IN_PROGRESS", "User Initiated"));
      return found;
    });
    if (stack) this.background(this.ops.runDelete(scope, stack));
  }

  /** Finishes what a previous process left in progress: rolls back creates and updates, completes deletes. */
  async recover(): Promise<void> {
    for (const stack of await stacksInProgress(this.store)) {
      // The operation goes on as the principal who started it.
      const scope = {
        accountId: stack.accountId,
        region: stack.region,
        ...(stack.caller ? { caller: stack.caller } : {}),
      };
      this.logger.warn("recovering a stack left in progress", {
        stack: stack.stackName,
        status: stack.status,
      });
      const reason = "Jeff stopped during the operation";
      switch (stack.status) {
        case "CREATE_IN_PROGRESS":
        case "ROLLBACK_IN_PROGRESS":
          this.background(this.ops.rollbackCreate(scope, stack, reason));
          break;
        case "UPDATE_IN_PROGRESS":
        case "UPDATE_ROLLBACK_IN_PROGRESS":
          this.background(this.ops.rollbackUpdate(scope, stack, reason));
          break;
        case "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
        case "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
          this.background(
            this.ops.cleanUp(
              scope,
              stack,
              stack.status.startsWith("UPDATE_ROLLBACK") ? "UPDATE_ROLLBACK_COMPLETE" : "UPDATE_COMPLETE",
              await this.resourcesToKeep(scope, stack),
            ),
          );
          break;
        case "DELETE_IN_PROGRESS":
          this.background(this.ops.runDelete(scope, stack));
          break;
        default:
          break;
      }
    }
  }

  /**
   * The resources a stack's stored template plans, for finishing an interrupted cleanup. If the
   * template no longer plans (a resource type went away), nothing is deleted.
   */
  private async resourcesToKeep(scope: StackScope, stack: StackRecord): Promise<ReadonlySet<string>> {
    try {
      const parameters = Object.entries(stack.parameters).map(([key, value]) => ({ key, value }));
      const plan = this.plan(
        scope,
        stack.stackId,
        { stackName: stack.stackName, templateBody: stack.templateBody, parameters },
        {},
      );
      return new Set(plan.resources.map((r) => r.logicalId));
    } catch (error) {
      this.logger.warn("cannot plan the stored template; keeping every resource", {
        stack: stack.stackName,
        error,
      });
      return new Set((await listResources(this.store, stack.stackId)).map((r) => r.logicalId));
    }
  }

  /** ValidateTemplate: the template's parameters and description, or a ValidationError naming every problem. */
  validate(templateBody: string): TemplateSummary {
    return summarizeTemplate(templateBody, this.registry);
  }

  /** Resolves when no stack operation is running (shutdown waits for this before closing the store). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private plan(
    scope: StackScope,
    stackId: string,
    input: DeployInput,
    previous: Record<string, string>,
  ): PlannedStack {
    return planStack({
      templateBody: input.templateBody,
      parameters: input.parameters,
      previousParameters: previous,
      registry: this.registry,
      pseudo: { accountId: scope.accountId, region: scope.region, stackName: input.stackName, stackId },
    });
  }

  private background(operation: Promise<void>): void {
    const tracked = operation.catch((error: unknown) =>
      this.logger.error("stack operation failed unexpectedly", { error }),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
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
