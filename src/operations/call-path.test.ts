// The call path against a real SQLite store: what a call leaves in the audit trail and the
// outbox, whether it succeeded, failed, was refused inside its transaction or only read.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore } from "../../test/stores.js";
import { createLogger } from "../ops/index.js";
import { AwsError, mutates, type OperationCall, reads } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { allAuditRecords, purgeAuditEntries, queryAuditEntries } from "./audit-trail.js";
import { CallPath } from "./call-path.js";
import { hiddenValue } from "./cloudtrail-record.js";
import { operationsMigrations } from "./operations-schema.js";
import { OutboxSignal, readOutbox } from "./outbox.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-call-path-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const caller = {
  accountId: "123456789012",
  arn: "arn:aws:iam::123456789012:user/admin",
  userId: "AIDAEXAMPLE",
  accessKeyId: "AKIAEXAMPLE",
};
const call = (operation: string, extra: Partial<OperationCall> = {}): OperationCall => ({
  requestId: `req-${operation}`,
  caller,
  region: "eu-west-1",
  service: "ssm",
  operation,
  sourceIPAddress: "127.0.0.1",
  userAgent: "test",
  ...extra,
});
const onName = (params: Readonly<Record<string, unknown>>) => [
  { type: "AWS::SSM::Parameter", name: String(params.Name), arn: `arn:aws:ssm:::parameter/${params.Name}` },
];
const put = mutates("ssm:PutParameter", onName, {
  hidden: ["Value"],
  changeEvents: (params) => [{ detailType: "Parameter Store Change", detail: { name: params.Name } }],
});

let store: Store;
let calls: CallPath;
let n = 0;
beforeEach(async () => {
  store = await openTestStore({
    dataDir: join(dir, `s${++n}`),
    migrations: [
      ...operationsMigrations,
      { id: 1, name: "things", up: "CREATE TABLE things (name TEXT PRIMARY KEY, value TEXT NOT NULL)" },
    ],
  });
  calls = new CallPath({
    store,
    outboxSignal: new OutboxSignal(),
    logger: createLogger({ level: "error", format: "json" }),
  });
});
afterEach(async () => {
  await calls.flush();
  await store.close();
});

const records = async () => {
  await calls.flush();
  return queryAuditEntries(store, {
    accountId: caller.accountId,
    region: "eu-west-1",
    startMs: 0,
    endMs: Date.now() + 60_000,
    limit: 50,
  });
};
const things = () => store.all<{ name: string }>("SELECT name FROM things");

describe("CallPath", () => {
  it("commits a mutation, its record and its change events together, with secrets hidden", async () => {
    const answer = await calls.run(
      call("PutParameter"),
      put,
      () => ({ Name: "/a", Value: "s3cret" }),
      (tx) =>
        tx(async (db) => {
          await db.run("INSERT INTO things (name, value) VALUES ('/a', 's3cret')");
          return { Version: 1 };
        }),
    );
    expect(answer).toEqual({ Version: 1 });
    const [row] = await records();
    expect(row!.record).toMatchObject({
      eventName: "PutParameter",
      eventSource: "ssm.amazonaws.com",
      readOnly: false,
      requestParameters: { name: "/a", value: hiddenValue },
      responseElements: { version: 1 },
      userIdentity: { type: "IAMUser", userName: "admin", accessKeyId: "AKIAEXAMPLE" },
    });
    expect(JSON.stringify(row)).not.toContain("s3cret");
    const events = await readOutbox(store, 0, 10);
    expect(events.map((e) => e.event["detail-type"])).toEqual([
      "AWS API Call via CloudTrail",
      "Parameter Store Change",
    ]);
    expect(events[0]!.event).toMatchObject({
      source: "aws.ssm",
      account: caller.accountId,
      region: "eu-west-1",
    });
  });

  it("leaves nothing — effect, record or event — when the handler refuses inside its transaction, then records the failure", async () => {
    const refusal = new AwsError("ParameterNotFound", "Parameter /b not found.");
    await expect(
      calls.run(
        call("PutParameter"),
        put,
        () => ({ Name: "/b" }),
        (tx) =>
          tx(async (db) => {
            await db.run("INSERT INTO things (name, value) VALUES ('/b', 'x')");
            throw refusal;
          }),
      ),
    ).rejects.toBe(refusal);
    expect(await things()).toEqual([]);
    const rows = await records();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.record).toMatchObject({
      errorCode: "ParameterNotFound",
      errorMessage: "Parameter /b not found.",
      responseElements: null,
    });
    // A failed mutation is still announced, as CloudTrail's events are; the service's own event is not.
    expect((await readOutbox(store, 0, 10)).map((e) => e.event["detail-type"])).toEqual([
      "AWS API Call via CloudTrail",
    ]);
  });

  it("records an unexpected failure as InternalFailure, without its message", async () => {
    await expect(
      calls.run(
        call("PutParameter"),
        put,
        () => ({ Name: "/c" }),
        async () => {
          throw new Error("disk on fire at /secret/path");
        },
      ),
    ).rejects.toThrow("disk on fire");
    const [row] = await records();
    expect(row!.record.errorCode).toBe("InternalFailure");
    expect(JSON.stringify(row)).not.toContain("/secret/path");
  });

  it("records reads after their answer, and none of their response", async () => {
    const get = reads("ssm:GetParameter", onName, { hidden: ["Value"] });
    await calls.run(
      call("GetParameter"),
      get,
      () => ({ Name: "/a" }),
      async () => ({ Value: "s3cret" }),
    );
    const [row] = await records();
    expect(row!.record).toMatchObject({ eventName: "GetParameter", readOnly: true, responseElements: null });
    expect(await readOutbox(store, 0, 10)).toEqual([]);
  });

  it("records no data event unless a trail selects them", async () => {
    const invoke = mutates("lambda:InvokeFunction", () => [], { dataEvent: true });
    await calls.run(
      call("Invoke", { service: "lambda" }),
      invoke,
      () => ({ Payload: "x" }),
      async () => "ok",
    );
    expect(await records()).toEqual([]);
    const recording = new CallPath({
      store,
      outboxSignal: new OutboxSignal(),
      logger: createLogger({ level: "error", format: "json" }),
      recordDataEvents: true,
    });
    await recording.run(
      call("Invoke", { service: "lambda" }),
      invoke,
      () => ({ Payload: "x" }),
      async () => "ok",
    );
    await recording.flush();
    // Data events are kept, but the event history (management events) does not list them.
    const [record] = await allAuditRecords(store);
    expect(record).toMatchObject({ eventCategory: "Data", managementEvent: false });
    expect((record!.requestParameters as Record<string, unknown>).payload).toBe(hiddenValue);
  });

  it("refuses a denied call before its handler runs, and records the denial", async () => {
    const denying = new CallPath({
      store,
      outboxSignal: new OutboxSignal(),
      logger: createLogger({ level: "error", format: "json" }),
      authorise: (_call, action) => {
        throw new AwsError("AccessDeniedException", `not authorized to perform: ${action}`, 403);
      },
    });
    let ran = false;
    await expect(
      denying.run(
        call("PutParameter"),
        put,
        () => ({ Name: "/d" }),
        async () => {
          ran = true;
        },
      ),
    ).rejects.toThrow("ssm:PutParameter");
    expect(ran).toBe(false);
    expect((await records())[0]!.record.errorCode).toBe("AccessDeniedException");
  });

  it("marks a call made on someone's behalf with the service that made it", async () => {
    const invokedBy = "cloudformation.amazonaws.com";
    await calls.run(
      call("PutParameter", { invokedBy }),
      put,
      () => ({ Name: "/e" }),
      (tx) => tx(async () => ({ Version: 1 })),
    );
    const [row] = await records();
    expect(row!.record).toMatchObject({ sourceIPAddress: invokedBy, userAgent: invokedBy });
    expect(row!.record.userIdentity.invokedBy).toBe(invokedBy);
  });
});

describe("the audit table", () => {
  it("rebuilds at lookup the very record the call's change event carried", async () => {
    await calls.run(
      call("PutParameter", { invokedBy: "cloudformation.amazonaws.com" }),
      put,
      () => ({ Name: "/r", Value: "s3cret", Tags: [{ Key: "K", Value: "v" }] }),
      (tx) => tx(async () => ({ Version: 3, Tier: "Standard" })),
    );
    await expect(
      calls.run(
        call("GetParameter"),
        reads("ssm:GetParameter", onName),
        () => ({ Name: "/missing" }),
        async () => {
          throw new AwsError("ParameterNotFound", "no /missing", 400);
        },
      ),
    ).rejects.toThrow("no /missing");
    const [read, write] = await records();
    const [event] = await readOutbox(store, 0, 10);
    expect(JSON.stringify(write!.record)).toBe(JSON.stringify(event!.event.detail));
    expect(write!.record.resources).toEqual([
      { accountId: caller.accountId, type: "AWS::SSM::Parameter", ARN: "arn:aws:ssm:::parameter//r" },
    ]);
    expect(read!.record).toMatchObject({
      errorCode: "ParameterNotFound",
      errorMessage: "no /missing",
      requestParameters: { name: "/missing" },
      responseElements: null,
    });
  });

  it("reads the rows a store kept before migration 702 as they were written", async () => {
    const dataDir = join(dir, `before-702-${++n}`);
    const before = await openTestStore({
      dataDir,
      migrations: operationsMigrations.filter((migration) => migration.id < 702),
    });
    const record = {
      eventVersion: "1.11",
      userIdentity: { type: "IAMUser", principalId: "AIDAOLD", arn: caller.arn, accountId: caller.accountId },
      eventTime: "2026-12-01T10:00:00Z",
      eventSource: "ssm.amazonaws.com",
      eventName: "PutParameter",
      awsRegion: "eu-west-1",
      requestParameters: { name: "/old" },
      eventID: "00000000-0000-7000-8000-000000000001",
      resources: [{ accountId: caller.accountId, type: "AWS::SSM::Parameter", ARN: "arn:old" }],
    };
    await before.run(
      `INSERT INTO audit_events (event_id, event_time, account_id, region, event_source, event_name,
         read_only, management, access_key_id, username, resources, record)
       VALUES (?, ?, ?, 'eu-west-1', 'ssm.amazonaws.com', 'PutParameter', 0, 1, 'AKIAOLD', 'admin', ?, ?)`,
      [
        record.eventID,
        Date.now() - 60_000,
        caller.accountId,
        '[{"type":"AWS::SSM::Parameter","name":"/old"}]',
        JSON.stringify(record),
      ],
    );
    await before.close();
    const after = await openTestStore({ dataDir, migrations: operationsMigrations });
    try {
      const rows = await queryAuditEntries(after, {
        accountId: caller.accountId,
        region: "eu-west-1",
        startMs: 0,
        endMs: Date.now() + 60_000,
        limit: 50,
      });
      expect(rows.map((row) => JSON.stringify(row.record))).toEqual([JSON.stringify(record)]);
      expect(rows[0]!.resources).toEqual([{ type: "AWS::SSM::Parameter", name: "/old" }]);
    } finally {
      await after.close();
    }
  });

  it("refuses to change a record, or to delete one younger than the retention period", async () => {
    await calls.run(
      call("PutParameter"),
      put,
      () => ({ Name: "/a" }),
      (tx) => tx(async () => ({})),
    );
    await expect(store.run("UPDATE audit_events SET event_name = 'Nothing'")).rejects.toThrow(/append-only/);
    await expect(store.run("DELETE FROM audit_events")).rejects.toThrow(/retention period/);
    expect(await records()).toHaveLength(1);
  });

  it("purges records past the retention period, and only those", async () => {
    await calls.run(
      call("PutParameter"),
      put,
      () => ({ Name: "/new" }),
      (tx) => tx(async () => ({})),
    );
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    await store.run(
      `INSERT INTO audit_events (event_id, event_time, account_id, region, event_source, event_name,
         read_only, management, access_key_id, username, resources, record)
       VALUES ('old', ?, ?, 'eu-west-1', 'ssm.amazonaws.com', 'PutParameter', 0, 1, 'AKIAEXAMPLE', 'admin', '[]', '{}')`,
      [twoDaysAgo, caller.accountId],
    );
    expect(await purgeAuditEntries(store, 3 * 86_400_000, Date.now())).toBe(0);
    expect(await purgeAuditEntries(store, 86_400_000, Date.now())).toBe(1);
    expect((await records()).map((row) => row.record.requestParameters)).toEqual([{ name: "/new" }]);
  });
});
