// test_events.py, TestEventBus: buses, their listing and their resource policy.
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { type ReplayCase, replayed } from "../case.js";
import { type Answer, type Replay, shortUid } from "../replay.js";

/** LocalStack's secondary test account (the recordings show it as a placeholder). */
const secondaryAccount = "222222222222";

/** SortingTransformer("Statement", by Sid) on a bus's policy, which the recording compares parsed. */
function sortedPolicy(answer: Answer): Answer {
  if (typeof answer.Policy !== "string") return answer;
  const policy = JSON.parse(answer.Policy) as { Statement?: Array<{ Sid: string }> };
  policy.Statement?.sort((a, b) => (a.Sid < b.Sid ? -1 : a.Sid > b.Sid ? 1 : 0));
  return { ...answer, Policy: JSON.stringify(policy) };
}

async function createListDescribeDelete(r: Replay, withDescription: boolean, regions: string[]) {
  const busName = `test-bus-${shortUid()}`;
  const clients = new Map(regions.map((region) => [region, r.client(EventBridgeClient, region)]));
  const call = (region: string, clientFn: string, input: object) =>
    r.ok(r.call(clientFn, input, clients.get(region)));
  for (const region of regions) {
    const description = withDescription ? { Description: "test bus" } : {};
    r.match(
      `create-custom-event-bus-${region}`,
      await call(region, "create_event_bus", { Name: busName, ...description }),
    );
    r.afterwards(() => call(region, "delete_event_bus", { Name: busName }));
    r.match(
      `list-event-buses-after-create-${region}`,
      await call(region, "list_event_buses", { NamePrefix: busName }),
    );
    r.match(
      `describe-custom-event-bus-${region}`,
      await call(region, "describe_event_bus", { Name: busName }),
    );
  }
  for (const region of regions) {
    r.match(`delete-custom-event-bus-${region}`, await call(region, "delete_event_bus", { Name: busName }));
    r.match(
      `list-event-buses-after-delete-${region}`,
      await call(region, "list_event_buses", { NamePrefix: busName }),
    );
  }
}

async function clearPolicy(r: Replay, busName: string) {
  if (busName === "default") {
    await r
      .call("remove_permission", { EventBusName: busName, RemoveAllPermissions: true })
      .catch(() => undefined);
  }
}

/** `put_permission` for PutEvents on the bus, its policy removed after the case. */
function permitting(r: Replay, busName: string) {
  r.afterwards(() => r.call("remove_permission", { EventBusName: busName, RemoveAllPermissions: true }));
  return (principal: string, sid: string) =>
    r.send("put_permission", {
      EventBusName: busName,
      Action: "events:PutEvents",
      Principal: principal,
      StatementId: sid,
    });
}

async function busNamed(r: Replay, kind: "custom" | "default"): Promise<string> {
  const bus = await r.defaultOrCustomBus(kind);
  await clearPolicy(r, bus.name);
  return bus.name;
}

const file = "test_events" as const;
const regions1 = ["us-east-1", "us-west-1", "eu-central-1"];

export const cases: ReplayCase[] = [
  ...[true, false].flatMap((withDescription) =>
    [
      ["regions0", ["us-east-1"]],
      ["regions1", regions1],
    ].map(([id, regions]) =>
      replayed(
        file,
        `TestEventBus::test_create_list_describe_delete_custom_event_buses[${withDescription ? "True" : "False"}-${id}]`,
        (r) => createListDescribeDelete(r, withDescription, regions as string[]),
      ),
    ),
  ),
  replayed(file, "TestEventBus::test_create_multiple_event_buses_same_name", async (r) => {
    const busName = `test-bus-${shortUid()}`;
    await r.createEventBus({ Name: busName });
    r.match("create-multiple-event-buses-same-name", await r.refuse("create_event_bus", { Name: busName }));
  }),
  replayed(file, "TestEventBus::test_describe_delete_not_existing_event_bus", async (r) => {
    const busName = `this-bus-does-not-exist-1234567890-${shortUid()}`;
    const error = await r.refuse("describe_event_bus", { Name: busName });
    r.match("describe-not-existing-event-bus-error", error);
    await r.send("delete_event_bus", { Name: busName });
    // The test matches the describe error again under the delete's label.
    r.match("delete-not-existing-event-bus", error);
  }),
  replayed(file, "TestEventBus::test_delete_default_event_bus", async (r) => {
    r.match("delete-default-event-bus-error", await r.refuse("delete_event_bus", { Name: "default" }));
  }),
  replayed(file, "TestEventBus::test_list_event_buses_with_prefix", async (r) => {
    const busName = `unique-prefix-1234567890-${shortUid()}`;
    await r.createEventBus({ Name: busName });
    await r.createEventBus({ Name: "no-prefix-match" });
    r.match(
      "list-event-buses-prefix-complete-name",
      await r.send("list_event_buses", { NamePrefix: busName }),
    );
    r.match(
      "list-event-buses-prefix",
      await r.send("list_event_buses", { NamePrefix: busName.split("-")[0] }),
    );
  }),
  replayed(file, "TestEventBus::test_list_event_buses_with_limit", async (r) => {
    const prefix = `test-bus-${shortUid()}`;
    for (let i = 0; i < 6; i++) await r.createEventBus({ Name: `${prefix}-${i}` });
    const first = await r.send("list_event_buses", { Limit: 3, NamePrefix: prefix });
    r.match("list-event-buses-limit", first);
    r.match(
      "list-event-buses-limit-next-token",
      await r.send("list_event_buses", { Limit: 5, NextToken: first.NextToken, NamePrefix: prefix }),
    );
  }),
  ...(["custom", "default"] as const).map((kind) =>
    replayed(file, `TestEventBus::test_put_permission[${kind}]`, async (r) => {
      const busName = await busNamed(r, kind);
      const put = permitting(r, busName);
      r.match("put-permission", await put(r.accountId, `statement-1-${shortUid()}`));
      await put(r.accountId, `statement-2-${shortUid()}`);
      await put(secondaryAccount, `statement-3-${shortUid()}`);
      const describe = async () => sortedPolicy(await r.send("describe_event_bus", { Name: busName }));
      r.match("describe-event-bus-put-permission-multiple-principals", await describe());
      const everyone = `statement-4-${shortUid()}`;
      await put("*", everyone);
      await put("*", everyone);
      r.match("describe-event-bus-put-permission", await describe());
      const policy = {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: `statement-5-${shortUid()}`,
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "events:ListRules",
            Resource: "*",
          },
        ],
      };
      r.match(
        "put-permission-policy",
        await r.send("put_permission", { EventBusName: busName, Policy: JSON.stringify(policy) }),
      );
      r.match("describe-event-bus-put-permission-policy", await describe());
    }),
  ),
  replayed(file, "TestEventBus::test_put_permission_non_existing_event_bus", async (r) => {
    r.match(
      "remove-permission-non-existing-sid-error",
      await r.refuse("put_permission", {
        EventBusName: `non-existing-bus-${shortUid()}`,
        Action: "events:PutEvents",
        Principal: "*",
        StatementId: "statement-id",
      }),
    );
  }),
  ...(["custom", "default"] as const).map((kind) =>
    replayed(file, `TestEventBus::test_remove_permission[${kind}]`, async (r) => {
      const busName = await busNamed(r, kind);
      const primary = `statement-1-${shortUid()}`;
      const put = permitting(r, busName);
      await put(r.accountId, primary);
      await put(secondaryAccount, `statement-2-${shortUid()}`);
      const describe = async () => sortedPolicy(await r.send("describe_event_bus", { Name: busName }));
      r.match(
        "remove-permission",
        await r.send("remove_permission", {
          EventBusName: busName,
          StatementId: primary,
          RemoveAllPermissions: false,
        }),
      );
      r.match("describe-event-bus-remove-permission", await describe());
      r.match(
        "remove-permission-all",
        await r.send("remove_permission", { EventBusName: busName, RemoveAllPermissions: true }),
      );
      r.match("describe-event-bus-remove-permission-all", await describe());
    }),
  ),
  ...(
    [
      [true, "custom"],
      [true, "default"],
      [false, "custom"],
      [false, "default"],
    ] as const
  ).map(([policyExists, kind]) =>
    replayed(
      file,
      `TestEventBus::test_remove_permission_non_existing_sid[${policyExists ? "True" : "False"}-${kind}]`,
      async (r) => {
        const busName = await busNamed(r, kind);
        if (policyExists) {
          r.afterwards(() =>
            r.call("remove_permission", { EventBusName: busName, RemoveAllPermissions: true }),
          );
          await r.send("put_permission", {
            EventBusName: busName,
            Action: "events:PutEvents",
            Principal: r.accountId,
            StatementId: `statement-${shortUid()}`,
          });
        }
        r.match(
          "remove-permission-non-existing-sid-error",
          await r.refuse("remove_permission", { EventBusName: busName, StatementId: "non-existing-sid" }),
        );
      },
    ),
  ),
];
