// Three `jeff serve` nodes on one PostgreSQL database, each with a data directory of its own, acting
// as one Jeff: any node answers for any function, asynchronous invocations sent to all three run,
// and the work a SIGKILLed node held (invocations, a stack operation) runs on the others once its
// leases end.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeUrlFor, testEngine } from "../stores.js";
import { type JeffProcess, repoRoot, runJeff, startJeff } from "./jeff-process.js";
import { createNodeFunction, decode, lambdaClientFor, startCollector, text } from "./lambda-helpers.js";
import { until } from "./until.js";

/** Invocations in each half: a few hundred in all by default, over a thousand with JEFF_SOAK=1. */
const perPhase = process.env.JEFF_SOAK === "1" ? 600 : 120;

interface Report {
  readonly id: string;
  /** The URL of the node that ran it, where the function says. */
  readonly node?: string;
}

describe.skipIf(testEngine !== "postgres")("three nodes on one PostgreSQL database", () => {
  let root: string;
  const nodes: JeffProcess[] = [];
  let clients: LambdaClient[] = [];
  let collector: Awaited<ReturnType<typeof startCollector<Report>>>;
  let env: NodeJS.ProcessEnv;

  /** The ids of the nodes running a job of `kind` now, read from the store itself: no process to start. */
  const holders = async (kind: string): Promise<string[]> => {
    const client = new pg.Client({ connectionString: env.JEFF_STORE });
    await client.connect();
    try {
      const { rows } = await client.query<{ lease_owner: string }>(
        "SELECT DISTINCT lease_owner FROM queue_jobs WHERE state = 'running' AND kind = $1 AND lease_owner IS NOT NULL",
        [kind],
      );
      return rows.map((row) => row.lease_owner);
    } finally {
      await client.end();
    }
  };
  const nodeIds = new Map<string, string>();
  /** A node's id, as `jeff nodes` lists it by URL. */
  const nodeIdOf = async (node: JeffProcess): Promise<string> => {
    if (!nodeIds.has(node.url)) {
      const { stdout } = await runJeff(["nodes", "--json", "--data-dir", nodes[0]!.dataDir], { env });
      for (const entry of (JSON.parse(stdout) as { nodes: Array<{ url: string; nodeId: string }> }).nodes)
        nodeIds.set(entry.url, entry.nodeId);
    }
    return nodeIds.get(node.url)!;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "jeff-nodes-"));
    collector = await startCollector<Report>();
    // One store for all three: the schema of the first node's data directory.
    env = { ...collector.jeffEnv, JEFF_STORE: await storeUrlFor(join(root, "a")) };
    // All three start at once on the empty database: one makes the schema, the others wait for it.
    nodes.push(
      ...(await Promise.all(["a", "b", "c"].map((name) => startJeff({ dataDir: join(root, name), env })))),
    );
    clients = nodes.map((node) => lambdaClientFor(node));
  });
  afterAll(async () => {
    for (const node of nodes) await node.stop();
    await collector?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("lists every node, up, from any of them, with one account and one key", async () => {
    expect(new Set(nodes.map((node) => node.accountId)).size).toBe(1);
    expect(new Set(nodes.map((node) => node.credentials.accessKeyId)).size).toBe(1);
    const { stdout } = await runJeff(["nodes", "--json", "--data-dir", nodes[2]!.dataDir], { env });
    const listed = JSON.parse(stdout) as { node: string; nodes: Array<{ url: string; live: boolean }> };
    expect(listed.nodes.map((node) => node.url).sort()).toEqual(nodes.map((node) => node.url).sort());
    expect(listed.nodes.every((node) => node.live)).toBe(true);
    // Health shows what the node saw at its last heartbeat: all three, once B has beaten since C came.
    let health = { node: "", nodes: [] as unknown[] };
    await until(async () => {
      health = (await (await fetch(`${nodes[1]!.url}/_jeff/health`)).json()) as typeof health;
      return health.nodes.length === 3;
    }, "node B's health to list all three nodes");
    expect(health.node).not.toBe(listed.node);
    // Each node's entry says what it holds: the outbox relay, one node's at a time.
    const holds = (health.nodes as Array<{ holds: Record<string, number> }>).map((node) => node.holds);
    expect(holds.every((held) => held !== null && typeof held === "object")).toBe(true);
  });

  it("runs a function created through node A when it is invoked through node C", async () => {
    await createNodeFunction(
      clients[0]!,
      nodes[0]!.accountId,
      "shared",
      "export const handler = async (event) => ({ echoed: event.value, at: 'anywhere' });",
    );
    const out = await clients[2]!.send(
      new InvokeCommand({ FunctionName: "shared", Payload: text(JSON.stringify({ value: 42 })) }),
    );
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(decode(out.Payload))).toEqual({ echoed: 42, at: "anywhere" });
  });

  it("creates the functions of a stack deployed through node B from a project that shares no disk with it, and runs them on node A", async () => {
    const b = nodes[1]!;
    const { stdout } = await runJeff(["deploy", "--stack", "remote", "--endpoint", b.url, "--json"], {
      cwd: join(repoRoot, "test/fixtures/projects/remote"),
      // The CLI knows B's URL and a user's keys; no data directory, no store.
      env: {
        JEFF_STORE: "",
        JEFF_DATA_DIR: join(root, "cli-has-none"),
        AWS_ACCESS_KEY_ID: b.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: b.credentials.secretAccessKey,
        AWS_REGION: b.region,
      },
    });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, status: "CREATE_COMPLETE" });
    const out = await clients[0]!.send(
      new InvokeCommand({ FunctionName: "remote-echo", Payload: text(JSON.stringify({ value: 7 })) }),
    );
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(decode(out.Payload))).toEqual({ echoed: 7, from: "a package sent over HTTP" });
  });

  it("matches an event put through node C against a rule put through node A, and changes it when node B changes the rule", async () => {
    const bridge = (node: JeffProcess) =>
      new EventBridgeClient({
        endpoint: node.url,
        region: node.region,
        credentials: node.credentials,
        maxAttempts: 1,
      });
    await createNodeFunction(
      clients[0]!,
      nodes[0]!.accountId,
      "bus-reporter",
      `export const handler = async (event) => { await (await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ id: "bus-" + event.detail.n }) })).text(); };`,
      { Environment: { Variables: { COLLECTOR: collector.url } } },
    );
    const arn = `arn:aws:lambda:${nodes[0]!.region}:${nodes[0]!.accountId}:function:bus-reporter`;
    await bridge(nodes[0]!).send(
      new PutRuleCommand({ Name: "across", EventPattern: JSON.stringify({ source: ["first"] }) }),
    );
    await bridge(nodes[0]!).send(
      new PutTargetsCommand({ Rule: "across", Targets: [{ Id: "fn", Arn: arn }] }),
    );
    const seen = (n: number) => collector.reports.some((report) => report.id === `bus-${n}`);
    // Node C has matched nothing on this bus yet; it must see A's rule from its commit on.
    await bridge(nodes[2]!).send(
      new PutEventsCommand({ Entries: [{ Source: "first", DetailType: "d", Detail: '{"n":1}' }] }),
    );
    await until(() => seen(1), "the event put through C, matched by A's rule");
    // B changes the rule; C, which compiled the old one, must match by the new one.
    await bridge(nodes[1]!).send(
      new PutRuleCommand({ Name: "across", EventPattern: JSON.stringify({ source: ["second"] }) }),
    );
    await bridge(nodes[2]!).send(
      new PutEventsCommand({
        Entries: [
          { Source: "first", DetailType: "d", Detail: '{"n":2}' },
          { Source: "second", DetailType: "d", Detail: '{"n":3}' },
        ],
      }),
    );
    await until(() => seen(3), "the event matching B's new pattern");
    expect(seen(2)).toBe(false);
  });

  it("runs Event invocations sent to all three nodes once each, and a killed node's after its leases end", async () => {
    await createNodeFunction(
      clients[1]!,
      nodes[0]!.accountId,
      "reporter",
      // Each run says which node ran it: a function calls back the node that runs it.
      `export const handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  await (await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ id: event.id, node: process.env.AWS_ENDPOINT_URL }) })).text();
};`,
      { Environment: { Variables: { COLLECTOR: collector.url } }, Timeout: 30 },
    );
    const send = async (ids: readonly string[], through: readonly LambdaClient[], sleepMs: number) => {
      await Promise.all(
        ids.map((id, i) =>
          through[i % through.length]!.send(
            new InvokeCommand({
              FunctionName: "reporter",
              InvocationType: "Event",
              Payload: text(JSON.stringify({ id, sleepMs })),
            }),
          ),
        ),
      );
    };
    const ran = (id: string) => collector.reports.filter((report) => report.id === id).length;

    // The happy path: every invocation runs exactly once, whichever node accepted it.
    const first = Array.from({ length: perPhase }, (_, i) => `first-${i}`);
    await send(first, clients, 50);
    await until(() => first.every((id) => ran(id) >= 1), "the first invocations to run", 300_000);
    expect(first.filter((id) => ran(id) !== 1)).toEqual([]);
    // They ran on all three nodes.
    const ranOn = new Set(
      collector.reports.filter((report) => report.id.startsWith("first-")).map((report) => report.node),
    );
    expect([...ranOn].sort()).toEqual(nodes.map((node) => node.url).sort());

    // Node B dies holding invocations it accepted: killed once node A sees it running some.
    const second = Array.from({ length: perPhase }, (_, i) => `second-${i}`);
    const b = nodes[1]!;
    // Accepted by all three (each answered 202) before anything is killed.
    await send(second, clients, 2_000);
    const bHolds = async () => (await holders("lambda.async-invoke")).includes(await nodeIdOf(b));
    await until(bHolds, "node B to be running invocations");
    await b.stop("SIGKILL");
    await until(
      () => second.every((id) => ran(id) >= 1),
      () => `every second invocation to run (missing ${second.filter((id) => ran(id) === 0).length})`,
      600_000,
    );
  }, 900_000);

  it("rolls back, on another node, a stack create that node C was running when it was killed", async () => {
    const c = nodes[2]!;
    const a = nodes[0]!;
    const config = (node: JeffProcess) => ({
      endpoint: node.url,
      region: node.region,
      credentials: node.credentials,
    });
    const parameters = Array.from(
      { length: 300 },
      (_, i) =>
        `  P${i}:\n    Type: AWS::SSM::Parameter\n    Properties: { Name: /orphan/p${i}, Type: String, Value: v }\n`,
    );
    await new CloudFormationClient(config(c)).send(
      new CreateStackCommand({ StackName: "orphan", TemplateBody: `Resources:\n${parameters.join("")}` }),
    );
    const cHolds = async () => (await holders("cloudformation.stack-operation")).includes(await nodeIdOf(c));
    await until(cHolds, "node C to be running the stack's operation");
    await c.stop("SIGKILL");

    const cfn = new CloudFormationClient(config(a));
    let status = "";
    await until(
      async () => {
        status =
          (await cfn.send(new DescribeStacksCommand({ StackName: "orphan" }))).Stacks?.[0]?.StackStatus ?? "";
        return !status.endsWith("_IN_PROGRESS");
      },
      () => `the stack to settle on node A (still ${status})`,
      600_000,
    );
    expect(status).toBe("ROLLBACK_COMPLETE");
    const ssm = new SSMClient(config(a));
    const left: string[] = [];
    for (let i = 0; i < 300; i++) {
      const name = `/orphan/p${i}`;
      const found = await ssm.send(new GetParameterCommand({ Name: name })).then(
        () => true,
        (error: Error) => {
          if (error.name !== "ParameterNotFound") throw error;
          return false;
        },
      );
      if (found) left.push(name);
    }
    expect(left).toEqual([]);
  }, 900_000);
});
