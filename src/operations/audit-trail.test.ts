// The event history's query against a real SQLite store: every lookup attribute CloudTrail
// offers, the time range, paging, and management events only.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStore } from "../../test/stores.js";
import { createLogger } from "../ops/index.js";
import { mutates, type OperationCall, reads } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { type AuditQuery, type LookupKey, queryAuditEntries } from "./audit-trail.js";
import { CallPath } from "./call-path.js";
import { operationsMigrations } from "./operations-schema.js";
import { OutboxSignal } from "./outbox.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-audit-trail-"));
const account = "123456789012";
const user = {
  accountId: account,
  arn: `arn:aws:iam::${account}:user/alice`,
  userId: "AIDAALICE",
  accessKeyId: "AKIAALICE",
};
const role = {
  accountId: account,
  arn: `arn:aws:sts::${account}:assumed-role/deployer/ci-run`,
  userId: "AROADEPLOYER:ci-run",
  accessKeyId: "ASIADEPLOYER",
};
const call = (operation: string, caller: OperationCall["caller"], service = "lambda"): OperationCall => ({
  requestId: `req-${operation}`,
  caller,
  region: "eu-west-1",
  service,
  operation,
  sourceIPAddress: "127.0.0.1",
  userAgent: "test",
});
const onFunction = (params: Readonly<Record<string, unknown>>) =>
  typeof params.FunctionName === "string"
    ? [
        {
          type: "AWS::Lambda::Function",
          name: params.FunctionName,
          arn: `arn:aws:lambda:::function:${params.FunctionName}`,
        },
      ]
    : [];

let store: Store;
let calls: CallPath;
beforeAll(async () => {
  store = await openTestStore({ dataDir: dir, migrations: operationsMigrations });
  calls = new CallPath({
    store,
    outboxSignal: new OutboxSignal(),
    logger: createLogger({ level: "error", format: "json" }),
  });
  const create = mutates("lambda:CreateFunction", onFunction);
  await calls.run(
    call("CreateFunction", user),
    create,
    () => ({ FunctionName: "a" }),
    (tx) => tx(async () => ({})),
  );
  await calls.run(
    call("CreateFunction", role),
    create,
    () => ({ FunctionName: "b" }),
    (tx) => tx(async () => ({})),
  );
  await calls.run(
    call("GetFunction", user),
    reads("lambda:GetFunction", onFunction),
    () => ({ FunctionName: "a" }),
    async () => ({}),
  );
  await calls.run(
    call("GetCallerIdentity", role, "sts"),
    reads("sts:GetCallerIdentity", () => []),
    () => ({}),
    async () => ({}),
  );
  const invoke = mutates("lambda:InvokeFunction", onFunction, { dataEvent: true });
  const recording = new CallPath({
    store,
    outboxSignal: new OutboxSignal(),
    logger: createLogger({ level: "error", format: "json" }),
    recordDataEvents: true,
  });
  await recording.run(
    call("Invoke", user),
    invoke,
    () => ({ FunctionName: "a" }),
    async () => ({}),
  );
  await recording.flush();
  await calls.flush();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const query = (extra: Partial<AuditQuery> = {}): AuditQuery => ({
  accountId: account,
  region: "eu-west-1",
  startMs: 0,
  endMs: Date.now() + 60_000,
  limit: 50,
  ...extra,
});
const names = async (key: LookupKey, value: string) =>
  (await queryAuditEntries(store, query({ attribute: { key, value } }))).map((row) => row.record.eventName);

describe("queryAuditEntries", () => {
  it("finds management events newest first, and never a data event", async () => {
    expect((await queryAuditEntries(store, query())).map((row) => row.record.eventName)).toEqual([
      "GetCallerIdentity",
      "GetFunction",
      "CreateFunction",
      "CreateFunction",
    ]);
  });

  it("filters by each lookup attribute", async () => {
    const [newest] = await queryAuditEntries(store, query());
    expect(await names("EventId", newest!.record.eventID)).toEqual(["GetCallerIdentity"]);
    expect(await names("EventName", "CreateFunction")).toEqual(["CreateFunction", "CreateFunction"]);
    expect(await names("ReadOnly", "true")).toEqual(["GetCallerIdentity", "GetFunction"]);
    expect(await names("ReadOnly", "false")).toEqual(["CreateFunction", "CreateFunction"]);
    expect(await names("Username", "alice")).toEqual(["GetFunction", "CreateFunction"]);
    // An assumed role's user name is its session's name, as CloudTrail shows it.
    expect(await names("Username", "ci-run")).toEqual(["GetCallerIdentity", "CreateFunction"]);
    expect(await names("ResourceType", "AWS::Lambda::Function")).toEqual([
      "GetFunction",
      "CreateFunction",
      "CreateFunction",
    ]);
    expect(await names("ResourceName", "b")).toEqual(["CreateFunction"]);
    expect(await names("EventSource", "sts.amazonaws.com")).toEqual(["GetCallerIdentity"]);
    expect(await names("AccessKeyId", "ASIADEPLOYER")).toEqual(["GetCallerIdentity", "CreateFunction"]);
  });

  it("keeps to the time range and pages below a position", async () => {
    expect(await queryAuditEntries(store, query({ endMs: 0 }))).toEqual([]);
    const all = await queryAuditEntries(store, query());
    const page = await queryAuditEntries(store, query({ limit: 2 }));
    const next = await queryAuditEntries(store, query({ limit: 2, before: page[1]!.record.eventID }));
    expect([...page, ...next].map((row) => row.record.eventID)).toEqual(all.map((row) => row.record.eventID));
  });

  it("records an assumed role as CloudTrail does", async () => {
    const [row] = await queryAuditEntries(
      store,
      query({ attribute: { key: "EventSource", value: "sts.amazonaws.com" } }),
    );
    expect(row!.record.userIdentity).toEqual({
      type: "AssumedRole",
      principalId: "AROADEPLOYER:ci-run",
      arn: role.arn,
      accountId: account,
      accessKeyId: "ASIADEPLOYER",
      userName: "ci-run",
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROADEPLOYER",
          arn: `arn:aws:iam::${account}:role/deployer`,
          accountId: account,
          userName: "deployer",
        },
      },
    });
  });
});
