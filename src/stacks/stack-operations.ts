/**
 * The steps of a stack operation, each recorded before the next: creating, updating and deleting
 * resources through their handlers, cleaning up after an update, and undoing a failed operation.
 * The same rollback serves a step that failed and a restart that found an operation unfinished.
 */
import type { OutboxSignal } from "../operations/index.js";
import type { Logger } from "../ops/index.js";
import type { SqlExecutor, Store } from "../store/index.js";
import type {
  PlannedResource,
  ResourceContext,
  ResourceHandler,
  ResourceRegistry,
} from "../templates/index.js";
import type { PlannedStack, ResourceLookup } from "./plan.js";
import { sameJson } from "./stable-json.js";
import {
  addEvent,
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
} from "./stack-records.js";

export class StackOperations {
  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly logger: Logger,
    private readonly outboxSignal: OutboxSignal,
  ) {}

  /**
   * Commits a step's record (and its change event), then wakes the outbox's readers, then lets
   * the event loop serve others: on SQLite every statement answers at once, so an operation of
   * hundreds of resources would otherwise hold the loop (and every API call) until it ended.
   */
  private async commit(work: (tx: SqlExecutor) => Promise<void>): Promise<void> {
    await this.store.transaction(work);
    this.outboxSignal.notify();
    await new Promise((resolve) => setImmediate(resolve));
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
    await this.commit(async (tx) => {
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
    await this.commit(async (tx) => {
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
    // Recorded with the properties being applied: an update is several calls, and one that fails
    // or is cut short part-way may have applied some of them, which the rollback (updating back to
    // `previous` from these) then undoes.
    const attempted = { ...kept, properties };
    await this.record(stack, { ...attempted, status: "UPDATE_IN_PROGRESS" });
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
      await this.record(stack, { ...attempted, status: "UPDATE_FAILED", statusReason: reasonOf(error) });
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

  async runCreate(scope: StackScope, stackId: string, stackName: string, plan: PlannedStack): Promise<void> {
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

  async rollbackCreate(
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

  async runUpdate(
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
      noEcho: plan.noEcho,
      outputs,
      ...(plan.description !== undefined ? { description: plan.description } : {}),
    });
    await this.cleanUp(scope, stack, "UPDATE_COMPLETE", keep);
  }

  /**
   * After an update: deletes the resources the new template dropped (those not in `keep`) and the
   * old halves of replacements, then forgets every `previous` state. A resource whose delete fails
   * stays listed, with DELETE_FAILED, so it is not lost track of.
   */
  async cleanUp(
    scope: StackScope,
    stack: Pick<StackRecord, "stackId" | "stackName">,
    final: StackStatus,
    keep: ReadonlySet<string>,
  ): Promise<void> {
    const resources = await listResources(this.store, stack.stackId);
    for (const resource of resources) {
      if (resource.status === "DELETE_COMPLETE") continue;
      if (!keep.has(resource.logicalId)) {
        if (await this.deleteResource(scope, stack, resource)) {
          await removeResource(this.store, stack.stackId, resource.logicalId);
        }
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
  async rollbackUpdate(
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

  async runDelete(scope: StackScope, stack: StackRecord): Promise<void> {
    const failed = await this.deleteAll(scope, stack);
    await this.finish(stack, failed ? "DELETE_FAILED" : "DELETE_COMPLETE", failed);
  }
}

export function stackEvent(stackId: string, stackName: string, status: StackStatus, reason?: string) {
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
