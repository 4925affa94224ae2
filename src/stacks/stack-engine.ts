/**
 * Applies templates as named stacks: creates, updates and deletes the resources that changed, in
 * dependency order, records every step with CloudFormation's status names, and undoes what the
 * running operation did when a step fails. A request is acknowledged once the stack's new state is
 * committed; the resources are then worked through in the background, as on AWS.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../ops/logger.js";
import { AwsError } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import type {
  PlannedResource,
  ResourceContext,
  ResourceHandler,
  ResourceRegistry,
} from "../templates/index.js";
import {
  type PlannedStack,
  planStack,
  type ResourceLookup,
  type StackParameterInput,
  summarizeTemplate,
  type TemplateSummary,
} from "./plan.js";
import {
  addEvent,
  findStack,
  insertStack,
  listResources,
  type PreviousResourceState,
  type ResourceRecord,
  type ResourceUpdate,
  removeResource,
  type StackRecord,
  type StackScope,
  type StackStatus,
  saveResource,
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

  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly logger: Logger,
  ) {}

  /** Starts creating a stack; resolves with its id once the stack exists in CREATE_IN_PROGRESS. */
  async create(scope: StackScope, input: DeployInput): Promise<string> {
    checkStackName(input.stackName);
    const stackId = newStackId(scope, input.stackName);
    const plan = this.plan(scope, stackId, input, {});
    await this.store.transaction(async (tx) => {
      if (await findStack(tx, scope, input.stackName)) throw stackErrors.alreadyExists(input.stackName);
      await insertStack(tx, {
        stackId,
        ...scope,
        stackName: input.stackName,
        status: "CREATE_IN_PROGRESS",
        templateBody: input.templateBody,
        parameters: plan.parameters,
        ...(plan.description !== undefined ? { description: plan.description } : {}),
      });
      await addEvent(tx, stackEvent(stackId, input.stackName, "CREATE_IN_PROGRESS", "User Initiated"));
    });
    this.background(this.runCreate(scope, stackId, input.stackName, plan));
    return stackId;
  }

  /** Starts updating a stack; resolves with its id once it is in UPDATE_IN_PROGRESS. */
  async update(scope: StackScope, input: DeployInput): Promise<string> {
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
    await this.store.transaction(async (tx) => {
      const latest = await findStack(tx, scope, stack.stackId);
      if (latest?.status !== stack.status) throw stackErrors.busy(latest ?? stack, "updated");
      await setStackStatus(tx, stack.stackId, "UPDATE_IN_PROGRESS", "User Initiated");
      await addEvent(tx, stackEvent(stack.stackId, stack.stackName, "UPDATE_IN_PROGRESS", "User Initiated"));
    });
    this.background(this.runUpdate(scope, stack, current, input.templateBody, plan));
    return stack.stackId;
  }

  /** Starts deleting a stack. Deleting one that does not exist succeeds, as on AWS. */
  async delete(scope: StackScope, stackName: string): Promise<void> {
    const stack = await findStack(this.store, scope, stackName);
    if (!stack || stack.deletedAt) return;
    if (stack.status.endsWith("_IN_PROGRESS")) {
      if (stack.status === "DELETE_IN_PROGRESS") return;
      throw stackErrors.busy(stack, "deleted");
    }
    await this.store.transaction(async (tx) => {
      await setStackStatus(tx, stack.stackId, "DELETE_IN_PROGRESS", "User Initiated");
      await addEvent(tx, stackEvent(stack.stackId, stack.stackName, "DELETE_IN_PROGRESS", "User Initiated"));
    });
    this.background(this.runDelete(scope, stack));
  }

  /** Finishes what a previous process left in progress: rolls back creates and updates, completes deletes. */
  async recover(): Promise<void> {
    for (const stack of await stacksInProgress(this.store)) {
      const scope = { accountId: stack.accountId, region: stack.region };
      this.logger.warn("recovering a stack left in progress", {
        stack: stack.stackName,
        status: stack.status,
      });
      const reason = "Jeff stopped during the operation";
      switch (stack.status) {
        case "CREATE_IN_PROGRESS":
        case "ROLLBACK_IN_PROGRESS":
          this.background(this.rollbackCreate(scope, stack, reason));
          break;
        case "UPDATE_IN_PROGRESS":
        case "UPDATE_ROLLBACK_IN_PROGRESS":
          this.background(this.rollbackUpdate(scope, stack, reason));
          break;
        case "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
        case "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
          this.background(
            this.cleanUp(
              scope,
              stack,
              stack.status.startsWith("UPDATE_ROLLBACK") ? "UPDATE_ROLLBACK_COMPLETE" : "UPDATE_COMPLETE",
            ),
          );
          break;
        case "DELETE_IN_PROGRESS":
          this.background(this.runDelete(scope, stack));
          break;
        default:
          break;
      }
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

  private handler(type: string): ResourceHandler {
    const handler = this.registry.get(type);
    if (!handler) throw new Error(`Unsupported resource type ${type}`);
    return handler;
  }

  private context(
    scope: StackScope,
    stack: Pick<StackRecord, "stackId" | "stackName">,
    logicalId: string,
  ): ResourceContext {
    return { ...scope, stackName: stack.stackName, stackId: stack.stackId, logicalId };
  }

  private async record(stack: Pick<StackRecord, "stackId" | "stackName">, resource: ResourceUpdate) {
    await this.store.transaction(async (tx) => {
      await saveResource(tx, stack.stackId, resource);
      await addEvent(tx, {
        stackId: stack.stackId,
        logicalId: resource.logicalId,
        ...(resource.physicalId ? { physicalId: resource.physicalId } : {}),
        resourceType: resource.type,
        status: resource.status,
        ...(resource.statusReason ? { reason: resource.statusReason } : {}),
      });
    });
  }

  private async finish(
    stack: Pick<StackRecord, "stackId" | "stackName">,
    status: StackStatus,
    reason?: string,
    changes?: Parameters<typeof setStackStatus>[4],
  ) {
    await this.store.transaction(async (tx) => {
      await setStackStatus(tx, stack.stackId, status, reason, changes);
      await addEvent(tx, stackEvent(stack.stackId, stack.stackName, status, reason));
    });
  }

  /** Resolves a resource's properties; a failure is recorded on the resource before it is thrown. */
  private async resolveOrRecord(
    stack: StackRef,
    plan: PlannedStack,
    planned: PlannedResource,
    state: ReadonlyMap<string, ResourceRecord>,
    existing?: ResourceRecord,
  ): Promise<Record<string, unknown>> {
    try {
      return plan.resolveProperties(planned.logicalId, lookupIn(state));
    } catch (error) {
      const statusReason = reasonOf(error);
      await this.record(
        stack,
        existing
          ? // Unchanged, but marked so the rollback puts its status back with everything else.
            {
              ...withoutBookkeeping(existing),
              status: "UPDATE_FAILED",
              statusReason,
              previous: previousStateOf(existing),
            }
          : {
              logicalId: planned.logicalId,
              type: planned.type,
              attributes: {},
              status: "CREATE_FAILED",
              statusReason,
              previous: { kind: "created" },
            },
      );
      throw error;
    }
  }

  /**
   * Creates one resource. The physical id the handler will use, when it can say, is recorded first,
   * so a crash between the handler's work and the next record still leaves something to delete.
   */
  private async createResource(
    scope: StackScope,
    stack: StackRef,
    planned: Pick<PlannedResource, "logicalId" | "type">,
    properties: Record<string, unknown>,
    previous?: PreviousResourceState,
  ): Promise<ResourceUpdate> {
    const handler = this.handler(planned.type);
    const ctx = this.context(scope, stack, planned.logicalId);
    const base = {
      logicalId: planned.logicalId,
      type: planned.type,
      properties,
      ...(previous ? { previous } : {}),
    };
    const expectedId = handler.physicalIdFor?.(properties, ctx);
    await this.record(stack, {
      ...base,
      attributes: {},
      status: "CREATE_IN_PROGRESS",
      ...(expectedId ? { physicalId: expectedId } : {}),
    });
    try {
      const result = await handler.create(properties, ctx);
      const created = {
        ...base,
        physicalId: result.physicalId,
        attributes: result.attributes,
        status: "CREATE_COMPLETE" as const,
      };
      await this.record(stack, created);
      return created;
    } catch (error) {
      // Nothing was created, so nothing of it may be deleted on rollback: no physical id.
      await this.record(stack, {
        ...base,
        attributes: {},
        status: "CREATE_FAILED",
        statusReason: reasonOf(error),
      });
      throw error;
    }
  }

  private async updateResource(
    scope: StackScope,
    stack: StackRef,
    existing: ResourceRecord,
    physicalId: string,
    properties: Record<string, unknown>,
    previous: PreviousResourceState,
  ): Promise<ResourceUpdate> {
    const kept = { ...withoutBookkeeping(existing), previous };
    await this.record(stack, { ...kept, status: "UPDATE_IN_PROGRESS" });
    try {
      const result = await this.handler(existing.type).update(
        physicalId,
        properties,
        existing.properties ?? {},
        this.context(scope, stack, existing.logicalId),
      );
      const updated = {
        ...kept,
        properties,
        attributes: result.attributes,
        status: "UPDATE_COMPLETE" as const,
      };
      await this.record(stack, updated);
      return updated;
    } catch (error) {
      await this.record(stack, { ...kept, status: "UPDATE_FAILED", statusReason: reasonOf(error) });
      throw error;
    }
  }

  /** A new type, or a change to a property the handler can only set on a new resource. */
  private needsReplacement(
    existing: ResourceRecord,
    type: string,
    properties: Record<string, unknown>,
  ): boolean {
    if (existing.type !== type) return true;
    const before = existing.properties ?? {};
    return (this.handler(type).replaceOnChange ?? []).some((key) => !sameJson(before[key], properties[key]));
  }

  private async runCreate(
    scope: StackScope,
    stackId: string,
    stackName: string,
    plan: PlannedStack,
  ): Promise<void> {
    const stack = { stackId, stackName };
    const state = new Map<string, ResourceRecord>();
    for (const planned of plan.resources) {
      try {
        const properties = await this.resolveOrRecord(stack, plan, planned, state);
        const created = await this.createResource(scope, stack, planned, properties);
        state.set(planned.logicalId, { ...created, createdSeq: state.size + 1, updatedAt: new Date() });
      } catch {
        await this.rollbackCreate(
          scope,
          stack,
          `The following resource(s) failed to create: [${planned.logicalId}]. `,
        );
        return;
      }
    }
    try {
      const outputs = plan.resolveOutputs(lookupIn(state));
      await this.finish(stack, "CREATE_COMPLETE", undefined, { outputs });
    } catch (error) {
      await this.rollbackCreate(scope, stack, `Outputs could not be resolved: ${reasonOf(error)}`);
    }
  }

  private async rollbackCreate(
    scope: StackScope,
    stack: Pick<StackRecord, "stackId" | "stackName">,
    reason: string,
  ): Promise<void> {
    await this.finish(stack, "ROLLBACK_IN_PROGRESS", reason);
    const failed = await this.deleteAll(scope, stack);
    await this.finish(stack, failed ? "ROLLBACK_FAILED" : "ROLLBACK_COMPLETE", failed);
  }

  /** Deletes every resource of the stack in reverse order of creation; returns a reason if any failed. */
  private async deleteAll(
    scope: StackScope,
    stack: Pick<StackRecord, "stackId" | "stackName">,
  ): Promise<string | undefined> {
    const resources = (await listResources(this.store, stack.stackId)).filter(
      (r) => r.status !== "DELETE_COMPLETE",
    );
    const failures: string[] = [];
    for (const resource of resources) {
      if (!(await this.deleteResource(scope, stack, resource))) failures.push(resource.logicalId);
    }
    return failures.length
      ? `The following resource(s) failed to delete: [${failures.join(", ")}]. `
      : undefined;
  }

  private async deleteResource(
    scope: StackScope,
    stack: Pick<StackRecord, "stackId" | "stackName">,
    resource: Pick<ResourceRecord, "logicalId" | "type" | "physicalId" | "properties" | "attributes">,
  ): Promise<boolean> {
    const base = {
      logicalId: resource.logicalId,
      type: resource.type,
      attributes: resource.attributes,
      ...(resource.physicalId ? { physicalId: resource.physicalId } : {}),
      ...(resource.properties ? { properties: resource.properties } : {}),
    };
    if (!resource.physicalId) {
      await this.record(stack, { ...base, status: "DELETE_COMPLETE" });
      return true;
    }
    await this.record(stack, { ...base, status: "DELETE_IN_PROGRESS" });
    try {
      await this.handler(resource.type).delete(
        resource.physicalId,
        resource.properties ?? {},
        this.context(scope, stack, resource.logicalId),
      );
      await this.record(stack, { ...base, status: "DELETE_COMPLETE" });
      return true;
    } catch (error) {
      await this.record(stack, { ...base, status: "DELETE_FAILED", statusReason: reasonOf(error) });
      return false;
    }
  }

  private async runUpdate(
    scope: StackScope,
    stack: StackRecord,
    current: ResourceRecord[],
    templateBody: string,
    plan: PlannedStack,
  ): Promise<void> {
    const state = new Map(current.filter((r) => r.status !== "DELETE_COMPLETE").map((r) => [r.logicalId, r]));
    for (const planned of plan.resources) {
      const existing = state.get(planned.logicalId);
      try {
        const properties = await this.resolveOrRecord(stack, plan, planned, state, existing);
        let next: ResourceUpdate;
        if (!existing?.physicalId) {
          next = await this.createResource(scope, stack, planned, properties, { kind: "created" });
        } else if (existing.type === planned.type && sameJson(existing.properties ?? {}, properties)) {
          continue;
        } else {
          const previous = previousStateOf(existing);
          next = this.needsReplacement(existing, planned.type, properties)
            ? await this.createResource(scope, stack, planned, properties, previous)
            : await this.updateResource(scope, stack, existing, existing.physicalId, properties, previous);
        }
        state.set(planned.logicalId, {
          ...next,
          createdSeq: existing?.createdSeq ?? 0,
          updatedAt: new Date(),
        });
      } catch {
        await this.rollbackUpdate(
          scope,
          stack,
          `The following resource(s) failed to update: [${planned.logicalId}]. `,
        );
        return;
      }
    }
    let outputs: ReturnType<PlannedStack["resolveOutputs"]>;
    try {
      outputs = plan.resolveOutputs(lookupIn(state));
    } catch (error) {
      await this.rollbackUpdate(scope, stack, `Outputs could not be resolved: ${reasonOf(error)}`);
      return;
    }
    const keep = new Set(plan.resources.map((r) => r.logicalId));
    await this.finish(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", undefined, {
      templateBody,
      parameters: plan.parameters,
      outputs,
      ...(plan.description !== undefined ? { description: plan.description } : {}),
    });
    await this.cleanUp(scope, stack, "UPDATE_COMPLETE", keep);
  }

  /**
   * After an update: deletes the resources the new template dropped and the old halves of
   * replacements, then forgets every `previous` state. `keep` is the new template's resources; when
   * resuming after a crash it is everything not marked deleted.
   */
  private async cleanUp(
    scope: StackScope,
    stack: Pick<StackRecord, "stackId" | "stackName">,
    final: StackStatus,
    keep?: ReadonlySet<string>,
  ): Promise<void> {
    const resources = await listResources(this.store, stack.stackId);
    for (const resource of resources) {
      if (resource.status === "DELETE_COMPLETE") continue;
      if (keep && !keep.has(resource.logicalId)) {
        await this.deleteResource(scope, stack, resource);
        await removeResource(this.store, stack.stackId, resource.logicalId);
        continue;
      }
      const previous = resource.previous;
      if (previous?.kind === "changed" && previous.physicalId !== resource.physicalId) {
        try {
          await this.handler(previous.type).delete(
            previous.physicalId,
            previous.properties,
            this.context(scope, stack, resource.logicalId),
          );
        } catch (error) {
          this.logger.warn("could not delete a replaced resource", {
            stack: stack.stackName,
            logicalId: resource.logicalId,
            error,
          });
        }
      }
      if (previous) {
        const { previous: _dropped, createdSeq: _seq, updatedAt: _at, ...rest } = resource;
        await saveResource(this.store, stack.stackId, rest);
      }
    }
    await this.finish(stack, final);
  }

  /** Undoes every resource change the running update recorded, newest first. */
  private async rollbackUpdate(
    scope: StackScope,
    stack: Pick<StackRecord, "stackId" | "stackName">,
    reason: string,
  ): Promise<void> {
    await this.finish(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason);
    const touched = (await listResources(this.store, stack.stackId)).filter((r) => r.previous);
    let failed = false;
    for (const resource of touched) {
      const previous = resource.previous!;
      const ctx = this.context(scope, stack, resource.logicalId);
      try {
        if (previous.kind === "created") {
          if (await this.deleteResource(scope, stack, resource))
            await removeResource(this.store, stack.stackId, resource.logicalId);
          else failed = true;
          continue;
        }
        if (resource.physicalId && resource.physicalId !== previous.physicalId) {
          await this.handler(resource.type).delete(resource.physicalId, resource.properties ?? {}, ctx);
        } else if (resource.physicalId) {
          await this.record(stack, { ...resource, status: "UPDATE_IN_PROGRESS" });
          await this.handler(previous.type).update(
            previous.physicalId,
            previous.properties,
            resource.properties ?? {},
            ctx,
          );
        }
        await this.record(stack, {
          logicalId: resource.logicalId,
          type: previous.type,
          physicalId: previous.physicalId,
          properties: previous.properties,
          attributes: previous.attributes,
          status: "UPDATE_COMPLETE",
        });
      } catch (error) {
        failed = true;
        await this.record(stack, { ...resource, status: "UPDATE_FAILED", statusReason: reasonOf(error) });
      }
    }
    await this.finish(stack, failed ? "UPDATE_ROLLBACK_FAILED" : "UPDATE_ROLLBACK_COMPLETE");
  }

  private async runDelete(scope: StackScope, stack: StackRecord): Promise<void> {
    const failed = await this.deleteAll(scope, stack);
    await this.finish(stack, failed ? "DELETE_FAILED" : "DELETE_COMPLETE", failed);
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

function stackEvent(stackId: string, stackName: string, status: StackStatus, reason?: string) {
  return {
    stackId,
    logicalId: stackName,
    physicalId: stackId,
    resourceType: "AWS::CloudFormation::Stack",
    status,
    ...(reason ? { reason } : {}),
  };
}

function lookupIn(state: ReadonlyMap<string, ResourceRecord>): ResourceLookup {
  return {
    ref(logicalId: string): string {
      const physicalId = state.get(logicalId)?.physicalId;
      if (physicalId === undefined) throw new Error(`Resource ${logicalId} has no physical id yet`);
      return physicalId;
    },
    getAtt(logicalId: string, attribute: string): unknown {
      const resource = state.get(logicalId);
      if (!resource) throw new Error(`Resource ${logicalId} does not exist yet`);
      if (!(attribute in resource.attributes))
        throw new Error(`Resource ${logicalId} has no attribute ${attribute}`);
      return resource.attributes[attribute];
    },
  };
}

type StackRef = Pick<StackRecord, "stackId" | "stackName">;

function previousStateOf(resource: ResourceRecord): PreviousResourceState {
  return {
    kind: "changed",
    physicalId: resource.physicalId ?? "",
    type: resource.type,
    properties: resource.properties ?? {},
    attributes: resource.attributes,
  };
}

/** A stored resource as an update to save: without the fields the records layer maintains. */
function withoutBookkeeping(resource: ResourceRecord): ResourceUpdate {
  const { createdSeq: _seq, updatedAt: _at, ...rest } = resource;
  return rest;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
