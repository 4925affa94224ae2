// The subsystem list as the server runs it: every operation Jeff serves is declared whole (an IAM
// action, a resource rule, AWS's schema, a line in the docs and in the README), and a new service
// is one folder and one line in the list.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toySubsystem } from "../../test/fixtures/toy-subsystem/index.js";
import { signedHeaders } from "../../test/integration/aws-signer.js";
import { until } from "../../test/integration/until.js";
import { storeUrlFor } from "../../test/stores.js";
import { createLogger } from "../ops/index.js";
import {
  cloudformationModel,
  cloudtrailModel,
  eventsModel,
  lambdaModel,
  logsModel,
  type OperationTraits,
  type ServiceDefinition,
  ssmModel,
  stsModel,
} from "../protocol/index.js";
import { type RunningServer, startServer } from "./server.js";
import { subsystems } from "./subsystems.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Each service's operations with their traits, however its protocol declares them. */
function operationsOf(service: ServiceDefinition): Array<[string, OperationTraits]> {
  return service.protocol === "restJson1"
    ? service.routes.map((route) => [route.operation, route])
    : Object.entries(service.operations);
}

const models = {
  sts: stsModel,
  cloudformation: cloudformationModel,
  ssm: ssmModel,
  logs: logsModel,
  lambda: lambdaModel,
  cloudtrail: cloudtrailModel,
  events: eventsModel,
} as const;
const docs = {
  sts: "identity",
  cloudformation: "stacks",
  ssm: "parameters",
  logs: "logs",
  lambda: "functions",
  cloudtrail: "operations",
  events: "events",
} as const;

let dir: string;
let jeff: RunningServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "jeff-subsystems-"));
  const store = await storeUrlFor(join(dir, "data"));
  jeff = await startServer(
    {
      dataDir: join(dir, "data"),
      port: 0,
      isolation: "auto",
      logLevel: "error",
      ...(store ? { store } : {}),
    },
    createLogger({ level: "error", format: "json" }),
    [...subsystems, toySubsystem],
  );
});
afterAll(async () => {
  await jeff?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the operation table", () => {
  it("declares every operation with an action, a resource rule, AWS's schema and a docs entry, as many as the README lists", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### APIs served today"));
    const table = section.slice(0, section.indexOf("\n## "));
    const listed = new Set(
      [...table.matchAll(/^\| (?!service )[^|]+ \| [^|]+ \| ([^|]+) \|/gm)].flatMap((row) =>
        row[1]!.split(",").map((name) => name.trim()),
      ),
    );
    const served: string[] = [];
    const problems: string[] = [];
    for (const service of jeff.services.filter((s) => s.signingName !== "toy")) {
      const name = service.signingName as keyof typeof models;
      const page = await readFile(join(root, "docs", `${docs[name]}.md`), "utf8");
      for (const [operation, traits] of operationsOf(service)) {
        served.push(operation);
        if (!new RegExp(`^${name}:[A-Z][A-Za-z]+$`).test(traits.action))
          problems.push(`${operation}: action ${traits.action}`);
        if (typeof traits.resources !== "function") problems.push(`${operation}: no resource rule`);
        if (typeof traits.readOnly !== "boolean") problems.push(`${operation}: read-only not declared`);
        if (!models[name].operations[operation]) problems.push(`${operation}: not in AWS's model of ${name}`);
        if (!page.includes(`\`${operation}\``)) problems.push(`${operation}: not in docs/${docs[name]}.md`);
        if (!listed.has(operation)) problems.push(`${operation}: not in the README's API table`);
      }
    }
    expect(problems).toEqual([]);
    // Names two services share (TagResource) are one entry of the set.
    expect(new Set(served).size).toBe(listed.size);
  });
});

describe("a toy service", () => {
  const signed = async (
    service: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    text: string,
  ) => {
    const url = `${jeff.url}${path}`;
    const signedHeaders_ = await signedHeaders({
      url,
      method,
      headers,
      body: text,
      service,
      region: jeff.config.region,
      credentials: jeff.installation.developerKey,
    });
    const res = await fetch(url, { method, headers: signedHeaders_, body: text });
    return { status: res.status, text: await res.text() };
  };

  const call = async (service: string, target: string, body: unknown) => {
    const url = `${jeff.url}/`;
    const text = JSON.stringify(body);
    const headers = await signedHeaders({
      url,
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
      body: text,
      service,
      region: jeff.config.region,
      credentials: jeff.installation.developerKey,
    });
    const res = await fetch(url, { method: "POST", headers, body: text });
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it("uses what another subsystem provides: the functions subsystem's one invoke", async () => {
    const code = zipSync({
      "index.mjs": new TextEncoder().encode(
        "export const handler = async (event) => `played with ${event.toy}`;",
      ),
    });
    const created = await signed(
      "lambda",
      "POST",
      "/2015-03-31/functions",
      { "content-type": "application/json" },
      JSON.stringify({
        FunctionName: "toy-box",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: `arn:aws:iam::${jeff.installation.accountId}:role/toy-role`,
        Code: { ZipFile: Buffer.from(code).toString("base64") },
      }),
    );
    expect(created.status).toBe(201);
    const played = await call("toy", "Toy_20261202.PlayWith", { Name: "duck", FunctionName: "toy-box" });
    expect(played).toEqual({ status: 200, body: { Answer: "played with duck" } });
  });

  it("adds a kind of event target of its own, which rules then deliver to", async () => {
    const toyArn = `arn:aws:toy:${jeff.config.region}:${jeff.installation.accountId}:toy/boat`;
    expect(
      (await call("events", "AWSEvents.PutRule", { Name: "paint", EventPattern: '{"source":["paint"]}' }))
        .status,
    ).toBe(200);
    const targets = await call("events", "AWSEvents.PutTargets", {
      Rule: "paint",
      Targets: [{ Id: "toy", Arn: toyArn }],
    });
    expect(targets.body).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    const put = await call("events", "AWSEvents.PutEvents", {
      Entries: [{ Source: "paint", DetailType: "Paint", Detail: '{"colour":"blue"}' }],
    });
    expect(put.body).toMatchObject({ FailedEntryCount: 0 });
    // Read from the store, so that the toy API's own audit trail (tested below) stays as it was.
    const boat = () => jeff.store.get<{ colour: string }>("SELECT colour FROM toys WHERE name = ?", ["boat"]);
    await until(async () => (await boat()) !== undefined, "the toy target to receive the event");
    expect(await boat()).toEqual({ colour: "blue" });
  });

  it("is served, audited and announced like any AWS API, from one folder and one line", async () => {
    expect((await call("toy", "Toy_20261202.PutToy", { Name: "duck", Colour: "yellow" })).status).toBe(200);
    expect((await call("toy", "Toy_20261202.GetToy", { Name: "duck" })).body).toEqual({
      Name: "duck",
      Colour: "yellow",
    });
    const missing = await call("toy", "Toy_20261202.GetToy", { Name: "swan" });
    expect(missing).toMatchObject({ status: 400, body: { __type: "ResourceNotFoundException" } });
    const trail = await call(
      "cloudtrail",
      "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
      {
        LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "toy.amazonaws.com" }],
      },
    );
    const events = (trail.body.Events as Array<{ EventName: string; CloudTrailEvent: string }>).map(
      (event) => ({
        name: event.EventName,
        error: JSON.parse(event.CloudTrailEvent).errorCode,
      }),
    );
    expect(
      events.sort((a, b) => a.name.localeCompare(b.name) || String(a.error).localeCompare(String(b.error))),
    ).toEqual([
      { name: "GetToy", error: "ResourceNotFoundException" },
      { name: "GetToy", error: undefined },
      { name: "PlayWith", error: undefined },
      { name: "PutToy", error: undefined },
    ]);
    const changes = await jeff.store.all<{ body: string }>(
      'SELECT body FROM outbox_events WHERE body LIKE \'%"source":"aws.toy"%\' ORDER BY seq',
    );
    expect(changes.map((row) => JSON.parse(row.body)["detail-type"])).toEqual([
      "AWS API Call via CloudTrail",
      "Toy Change",
    ]);
  });
});
