// Stack operations as jobs on the work queue, against a real SQLite store and a toy resource type:
// the job is enqueued with the status change or not at all, runs the operation, is finished from
// the stored status when a run was interrupted, and stacks an older Jeff left in progress get one.
// CloudFormation's change events are written with each recorded status change.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore } from "../../test/stores.js";
import { OutboxSignal, operationsMigrations, readOutbox } from "../operations/index.js";
import { silentLogger } from "../ops/index.js";
import type { CallTransaction } from "../protocol/index.js";
import { queueMigrations, WorkQueue } from "../queue/index.js";
import type { Migration, Store } from "../store/index.js";
import { type ResourceHandler, ResourceRegistry } from "../templates/index.js";
import { StackEngine } from "./stack-engine.js";
import { stackOperationKind } from "./stack-operation-job.js";
import {
  findStack,
  insertStack,
  listEvents,
  listResources,
  saveResource,
  setOperationJob,
  setStackStatus,
} from "./stack-records.js";
import { stackMigrations } from "./stack-schema.js";

const migrations: readonly Migration[] = [...stackMigrations, ...queueMigrations, ...operationsMigrations];
const scope = { accountId: "123456789012", region: "us-east-1" };

/** Polls `check` until it holds; the deadline only turns a hang into a failure. */
async function until(check: () => Promise<boolean>, why: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${why}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * `Toy::Thing`: its physical id is its `Name`, known before it is made; `things` is the world it
 * changes. Creating a thing named in `blocked` never finishes: the process "dies" in the middle.
 */
class Toys {
  readonly things = new Map<string, string>();
  readonly blocked = new Set<string>();
  readonly handler: ResourceHandler<{ Name: string; Value: string }> = {
    type: "Toy::Thing",
    attributes: ["Value"],
    physicalIdFor: (props) => props.Name,
    create: async (props) => {
      if (this.blocked.has(props.Name)) await new Promise(() => {});
      this.things.set(props.Name, props.Value);
      return { physicalId: props.Name, attributes: { Value: props.Value } };
    },
    update: async (physicalId, props) => {
      this.things.set(physicalId, props.Value);
      return { physicalId, attributes: { Value: props.Value } };
    },
    delete: async (physicalId) => {
      this.things.delete(physicalId);
    },
  };
}

function template(things: Record<string, string>): string {
  const resources = Object.entries(things).map(
    ([name, value]) =>
      `  ${name}:\n    Type: Toy::Thing\n    Properties: { Name: ${name}, Value: "${value}" }\n`,
  );
  return `Resources:\n${resources.join("")}`;
}

/** CreateStack's or UpdateStack's input for the stack `s` of toy things. */
const deployment = (things: Record<string, string>) => ({
  stackName: "s",
  templateBody: template(things),
  parameters: [],
});

let root: string;
let dataDir: string;
let store: Store;
let toys: Toys;
const queues: WorkQueue[] = [];

/** One Jeff process's part: a queue (node `node-a`, a fresh epoch) and the engine on it. */
function startProcess(options: { start?: boolean } = {}) {
  const queue = new WorkQueue({ store, nodeId: "node-a" });
  queues.push(queue);
  const outboxSignal = new OutboxSignal();
  const registry = new ResourceRegistry().register(toys.handler);
  const engine = new StackEngine({ store, registry, logger: silentLogger, queue, outboxSignal });
  queue.register(stackOperationKind, engine.operationKind);
  const started = options.start === false ? Promise.resolve() : queue.start();
  return { queue, engine, outboxSignal, started };
}

const statusOf = async (name: string) => (await findStack(store, scope, name))?.status;

async function settled(name: string): Promise<string | undefined> {
  await until(async () => !(await statusOf(name))?.endsWith("_IN_PROGRESS"), `${name} to settle`);
  return statusOf(name);
}

/**
 * Once the operation on stack `name` has recorded `logicalId` (whose create blocks), the process
 * dies: its queue stops without waiting, and its handler never goes on. Resolves to the stack id.
 */
async function dieAt(queue: WorkQueue, name: string, logicalId: string): Promise<string> {
  const stackId = (await findStack(store, scope, name))!.stackId;
  await until(
    async () => (await listResources(store, stackId)).some((r) => r.logicalId === logicalId),
    `the operation to reach ${logicalId}`,
  );
  await queue.stop({ timeoutMs: 0 });
  return stackId;
}

const jobCount = async () =>
  Number((await store.get<{ n: number }>("SELECT COUNT(*) AS n FROM queue_jobs"))?.n ?? 0);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "jeff-stack-jobs-"));
  dataDir = join(root, "data");
  store = await openTestStore({ dataDir, migrations });
  toys = new Toys();
});

afterEach(async () => {
  for (const queue of queues.splice(0)) await queue.stop({ timeoutMs: 0 });
  await store.close();
  await rm(root, { recursive: true, force: true });
});

describe("stack operations on the work queue", () => {
  it("creates, updates and deletes a stack, each through one job that is gone once it is done", async () => {
    const { engine } = startProcess();
    await engine.create(scope, deployment({ A: "1", B: "2" }));
    expect(await settled("s")).toBe("CREATE_COMPLETE");
    expect(Object.fromEntries(toys.things)).toEqual({ A: "1", B: "2" });

    await engine.update(scope, deployment({ A: "9", C: "3" }));
    expect(await settled("s")).toBe("UPDATE_COMPLETE");
    expect(Object.fromEntries(toys.things)).toEqual({ A: "9", C: "3" });

    const stackId = (await findStack(store, scope, "s"))!.stackId;
    await engine.delete(scope, "s");
    await until(async () => (await findStack(store, scope, stackId))?.status === "DELETE_COMPLETE", "delete");
    expect(toys.things.size).toBe(0);
    await until(async () => (await jobCount()) === 0, "the jobs to complete");
  });

  it("enqueues nothing when the transaction that would start the operation rolls back", async () => {
    const { engine, queue, started } = startProcess();
    await started;
    const rolledBack: CallTransaction = (work) =>
      store.transaction(async (tx) => {
        await work(tx);
        throw new Error("the call's record could not be written");
      });
    await expect(engine.create(scope, deployment({ A: "1" }), rolledBack)).rejects.toThrow(
      /could not be written/,
    );
    await queue.idle();
    await engine.settle();
    expect(await findStack(store, scope, "s")).toBeUndefined();
    expect(await jobCount()).toBe(0);
    expect(toys.things.size).toBe(0);
  });

  it("runs an operation accepted before the queue started once it starts, from the beginning", async () => {
    const first = startProcess({ start: false });
    await first.engine.create(scope, deployment({ A: "1" }));
    expect(await jobCount()).toBe(1);
    await first.queue.start();
    expect(await settled("s")).toBe("CREATE_COMPLETE");
    expect(toys.things.get("A")).toBe("1");
  });

  it("rolls back a create whose process died halfway, deleting what it had made, when the job runs again", async () => {
    toys.blocked.add("C");
    const first = startProcess();
    await first.engine.create(scope, deployment({ A: "1", B: "2", C: "3", D: "4" }));
    const stackId = await dieAt(first.queue, "s", "C");
    expect(await statusOf("s")).toBe("CREATE_IN_PROGRESS");

    startProcess();
    expect(await settled("s")).toBe("ROLLBACK_COMPLETE");
    expect(toys.things.size).toBe(0);
    const events = await listEvents(store, (await findStack(store, scope, stackId))!);
    expect(events.find((e) => e.status === "ROLLBACK_IN_PROGRESS")?.reason).toBe(
      "Jeff stopped during the operation",
    );
    await until(async () => (await jobCount()) === 0, "the job to complete");
  });

  it("rolls back an update whose process died halfway, restoring what it had changed", async () => {
    const first = startProcess();
    await first.engine.create(scope, deployment({ A: "1" }));
    expect(await settled("s")).toBe("CREATE_COMPLETE");
    toys.blocked.add("C");
    await first.engine.update(scope, deployment({ A: "2", B: "2", C: "2" }));
    await dieAt(first.queue, "s", "C");

    startProcess();
    expect(await settled("s")).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect(Object.fromEntries(toys.things)).toEqual({ A: "1" });
  });

  it("does nothing for a job whose stack's operation is another job's, or already over", async () => {
    const { engine, queue } = startProcess();
    await engine.create(scope, deployment({ A: "1" }));
    expect(await settled("s")).toBe("CREATE_COMPLETE");
    const stackId = (await findStack(store, scope, "s"))!.stackId;
    // A job for the stack that is not the one it names (as one left over from a crash would be).
    await store.transaction((tx) =>
      queue.enqueue(tx, { kind: stackOperationKind, payload: { stackId, operation: "delete" } }),
    );
    queue.wake();
    await until(async () => (await jobCount()) === 0, "the stray job to complete");
    await engine.settle();
    expect(await statusOf("s")).toBe("CREATE_COMPLETE");
    expect(toys.things.get("A")).toBe("1");
  });

  it("finishes an operation whose run failed from its status, on the queue's retry, giving the error", async () => {
    const { engine, queue } = startProcess();
    await engine.create(scope, deployment({ A: "1" }));
    expect(await settled("s")).toBe("CREATE_COMPLETE");
    const stack = (await findStack(store, scope, "s"))!;
    // An update whose run throws: its template no longer plans (as after a type went away).
    const broken = { templateBody: "Resources:\n  X:\n    Type: Gone::Type\n", parameters: {} };
    await store.transaction(async (tx) => {
      await setStackStatus(tx, stack.stackId, "UPDATE_IN_PROGRESS", "User Initiated");
      const payload = { stackId: stack.stackId, operation: "update", ...broken };
      const { id } = await queue.enqueue(tx, { kind: stackOperationKind, payload });
      await setOperationJob(tx, stack.stackId, id);
    });
    queue.wake();
    expect(await settled("s")).toBe("UPDATE_ROLLBACK_COMPLETE");
    const events = await listEvents(store, stack);
    expect(events.find((e) => e.status === "UPDATE_ROLLBACK_IN_PROGRESS")?.reason).toMatch(
      /^The operation failed: .*Gone::Type/,
    );
    expect(toys.things.get("A")).toBe("1");
  });

  it("finishes a stack an older Jeff left in progress with no job, once the store is upgraded", async () => {
    // The store as the Jeff before stack jobs left it: a create in progress, one resource made.
    await store.close();
    dataDir = join(root, "older");
    const older = await openTestStore({ dataDir, migrations: migrations.filter((m) => m.id !== 203) });
    const stackId = `arn:aws:cloudformation:us-east-1:${scope.accountId}:stack/old/1`;
    await older.transaction(async (tx) => {
      await insertStack(tx, {
        stackId,
        ...scope,
        stackName: "old",
        status: "CREATE_IN_PROGRESS",
        templateBody: template({ A: "1", B: "2" }),
        parameters: {},
        noEcho: [],
      });
      await saveResource(tx, stackId, {
        logicalId: "A",
        type: "Toy::Thing",
        physicalId: "A",
        properties: { Name: "A", Value: "1" },
        attributes: { Value: "1" },
        status: "CREATE_COMPLETE",
      });
    });
    await older.close();
    store = await openTestStore({ dataDir, migrations });
    toys.things.set("A", "1");

    const { engine, queue } = startProcess({ start: false });
    await engine.recover();
    expect(await jobCount()).toBe(1);
    await engine.recover(); // a second start adds nothing: the stack has its job
    expect(await jobCount()).toBe(1);
    await queue.start();
    expect(await settled("old")).toBe("ROLLBACK_COMPLETE");
    expect(toys.things.size).toBe(0);
  });
});

describe("CloudFormation's change events", () => {
  it("writes a Stack and a Resource Status Change for every status the stack records, in order", async () => {
    const { engine, outboxSignal } = startProcess();
    const woken = outboxSignal.next(60_000);
    const stackId = await engine.create(scope, deployment({ A: "1", B: "2" }));
    expect(await settled("s")).toBe("CREATE_COMPLETE");
    expect(await woken).toBe(true);

    const events = (await readOutbox(store, 0, 100))
      .map((entry) => entry.event)
      .filter((event) => event.source === "aws.cloudformation");
    const summary = events.map((event) => {
      const detail = event.detail as { "logical-resource-id"?: string; "status-details": { status: string } };
      return `${detail["logical-resource-id"] ?? "stack"} ${detail["status-details"].status}`;
    });
    expect(summary).toEqual([
      "stack CREATE_IN_PROGRESS",
      "A CREATE_IN_PROGRESS",
      "A CREATE_COMPLETE",
      "B CREATE_IN_PROGRESS",
      "B CREATE_COMPLETE",
      "stack CREATE_COMPLETE",
    ]);
    expect(events[0]).toMatchObject({
      version: "0",
      "detail-type": "CloudFormation Stack Status Change",
      source: "aws.cloudformation",
      account: scope.accountId,
      region: scope.region,
      resources: [stackId],
      detail: {
        "stack-id": stackId,
        "status-details": { status: "CREATE_IN_PROGRESS", "status-reason": "User Initiated" },
      },
    });
    expect(events[2]).toMatchObject({
      "detail-type": "CloudFormation Resource Status Change",
      resources: [stackId],
      detail: {
        "stack-id": stackId,
        "logical-resource-id": "A",
        "physical-resource-id": "A",
        "resource-type": "Toy::Thing",
        "status-details": { status: "CREATE_COMPLETE", "status-reason": "" },
      },
    });
  });
});
