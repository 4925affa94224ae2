// Archives keep a bus's matching events; a replay re-delivers a time range of them to the rules it
// names, with `replay-name` in each event, as AWS does.
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  UpdateArchiveCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { createNodeFunction, failure, lambdaClientFor, startCollector } from "./lambda-helpers.js";
import { until } from "./until.js";

let jeff: JeffProcess;
let events: EventBridgeClient;
let collector: Awaited<ReturnType<typeof startCollector<Record<string, unknown>>>>;

beforeAll(async () => {
  collector = await startCollector();
  // Replays wait 20 s before they start, so that eleven StartReplay calls and a cancel fit in
  // the STARTING window however busy the machine is.
  jeff = await startJeff({ env: { ...collector.jeffEnv, JEFF_REPLAY_START_DELAY_MS: "20000" } });
  events = new EventBridgeClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
  });
  await createNodeFunction(
    lambdaClientFor(jeff),
    jeff.accountId,
    "replayed",
    `export const handler = async (event) => { await (await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify(event) })).text(); };`,
    { Environment: { Variables: { COLLECTOR: collector.url } } },
  );
}, 120_000);
afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
});

describe("archives and replays", () => {
  it("archives matching events, and replays them to the rules named", async () => {
    await events.send(new CreateEventBusCommand({ Name: "kept" }));
    const busArn = `arn:aws:events:${jeff.region}:${jeff.accountId}:event-bus/kept`;
    const created = await events.send(
      new CreateArchiveCommand({
        ArchiveName: "kept-archive",
        EventSourceArn: busArn,
        EventPattern: JSON.stringify({ source: ["keep"] }),
        Description: "d",
        RetentionDays: 1,
      }),
    );
    expect(created).toMatchObject({
      ArchiveArn: `arn:aws:events:${jeff.region}:${jeff.accountId}:archive/kept-archive`,
      State: "ENABLED",
    });
    const twice = await failure(
      events.send(new CreateArchiveCommand({ ArchiveName: "kept-archive", EventSourceArn: busArn })),
    );
    expect([twice.name, twice.message]).toEqual([
      "ResourceAlreadyExistsException",
      "Archive kept-archive already exists.",
    ]);
    const noBus = await failure(
      events.send(new CreateArchiveCommand({ ArchiveName: "other", EventSourceArn: `${busArn}-missing` })),
    );
    expect([noBus.name, noBus.message]).toEqual([
      "ResourceNotFoundException",
      "Event bus kept-missing does not exist.",
    ]);

    const rule = await events.send(
      new PutRuleCommand({
        Name: "to-fn",
        EventBusName: "kept",
        EventPattern: JSON.stringify({ source: ["keep"] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "to-fn",
        EventBusName: "kept",
        Targets: [{ Id: "fn", Arn: `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:replayed` }],
      }),
    );
    const before = new Date(Date.now() - 60_000);
    await events.send(
      new PutEventsCommand({
        Entries: [1, 2, 3]
          .map((n) => ({
            EventBusName: "kept",
            Source: "keep",
            DetailType: "d",
            Detail: JSON.stringify({ n }),
          }))
          .concat([{ EventBusName: "kept", Source: "drop", DetailType: "d", Detail: '{"n":9}' }]),
      }),
    );
    const described = await events.send(new DescribeArchiveCommand({ ArchiveName: "kept-archive" }));
    expect(described).toMatchObject({
      ArchiveName: "kept-archive",
      EventSourceArn: busArn,
      EventCount: 3,
      RetentionDays: 1,
      Description: "d",
    });
    expect(described.SizeBytes).toBeGreaterThan(0);
    const listed = await events.send(new ListArchivesCommand({ EventSourceArn: busArn }));
    expect(listed.Archives!.map((archive) => [archive.ArchiveName, archive.EventCount])).toEqual([
      ["kept-archive", 3],
    ]);
    await until(() => collector.reports.length >= 3, "the events' first delivery");

    const replayInput = {
      ReplayName: "again",
      EventSourceArn: created.ArchiveArn,
      EventStartTime: before,
      EventEndTime: new Date(Date.now() + 60_000),
      Destination: { Arn: busArn, FilterArns: [rule.RuleArn!] },
    };
    const started = await events.send(new StartReplayCommand(replayInput));
    expect(started.State).toBe("STARTING");
    await until(
      async () =>
        (await events.send(new DescribeReplayCommand({ ReplayName: "again" }))).State === "COMPLETED",
      "the replay to complete",
    );
    await until(
      () => collector.reports.filter((event) => event["replay-name"] === "again").length >= 3,
      "the replayed events",
    );
    const replayed = collector.reports.filter((event) => event["replay-name"] === "again");
    expect(replayed.map((event) => (event.detail as { n: number }).n).sort()).toEqual([1, 2, 3]);
    // replay-name follows region, as AWS places it.
    expect(Object.keys(replayed[0]!)).toEqual([
      "version",
      "id",
      "detail-type",
      "source",
      "account",
      "time",
      "region",
      "replay-name",
      "resources",
      "detail",
    ]);
    const replays = await events.send(new ListReplaysCommand({ NamePrefix: "ag" }));
    expect(replays.Replays!.map((replay) => [replay.ReplayName, replay.State])).toEqual([
      ["again", "COMPLETED"],
    ]);
    // Replayed events are not archived again.
    expect((await events.send(new DescribeArchiveCommand({ ArchiveName: "kept-archive" }))).EventCount).toBe(
      3,
    );

    const duplicate = await failure(events.send(new StartReplayCommand(replayInput)));
    expect([duplicate.name, duplicate.message]).toEqual([
      "ResourceAlreadyExistsException",
      "Replay again already exists.",
    ]);
    const crossBus = await failure(
      events.send(
        new StartReplayCommand({
          ...replayInput,
          ReplayName: "elsewhere",
          Destination: { Arn: busArn.replace("/kept", "/default") },
        }),
      ),
    );
    expect(crossBus.message).toBe(
      "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    );
    const backwards = await failure(
      events.send(new StartReplayCommand({ ...replayInput, ReplayName: "backwards", EventEndTime: before })),
    );
    expect(backwards.message).toBe(
      "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    );

    // A replay just started can still be cancelled, and ten may be active at once, as on AWS.
    const waiting = Array.from({ length: 10 }, (_, i) => `waiting-${i}`);
    for (const ReplayName of waiting)
      await events.send(new StartReplayCommand({ ...replayInput, ReplayName }));
    const eleventh = await failure(
      events.send(new StartReplayCommand({ ...replayInput, ReplayName: "eleventh" })),
    );
    expect([eleventh.name, eleventh.message]).toEqual([
      "LimitExceededException",
      "The requested resource exceeds the maximum number allowed.",
    ]);
    const cancelled = await events.send(new CancelReplayCommand({ ReplayName: "waiting-9" }));
    expect(cancelled.State).toBe("CANCELLING");
    await until(
      async () =>
        (await events.send(new DescribeReplayCommand({ ReplayName: "waiting-9" }))).State === "CANCELLED",
      "the cancelled replay to end",
    );
    expect(collector.reports.some((event) => event["replay-name"] === "waiting-9")).toBe(false);

    await events.send(new UpdateArchiveCommand({ ArchiveName: "kept-archive", RetentionDays: 7 }));
    expect(
      (await events.send(new DescribeArchiveCommand({ ArchiveName: "kept-archive" }))).RetentionDays,
    ).toBe(7);
    await events.send(new DeleteArchiveCommand({ ArchiveName: "kept-archive" }));
    const gone = await failure(events.send(new DescribeArchiveCommand({ ArchiveName: "kept-archive" })));
    expect([gone.name, gone.message]).toEqual([
      "ResourceNotFoundException",
      "Archive kept-archive does not exist.",
    ]);
  });
});
