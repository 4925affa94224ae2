// test_archive_and_replay.py: archives (what they keep of a bus's events) and replays (sending
// them back). The replay's deliveries, which the test reads from an SQS queue, reach a window
// function instead (replay.ts).

import { until } from "../../../integration/until.js";
import { type ReplayCase, replayed } from "../case.js";
import { type Answer, type Replay, shortUid } from "../replay.js";
import {
  pythonJson,
  TEST_EVENT_DETAIL,
  TEST_EVENT_PATTERN,
  TEST_EVENT_PATTERN_NO_DETAIL,
} from "../test-events-constants.js";

const file = "test_archive_and_replay" as const;
const busTypes = ["default", "custom"] as const;

/** The fixture `events_create_archive`: the archive (on the default bus unless told), deleted after. */
async function createArchive(r: Replay, input: Record<string, unknown> = {}): Promise<Answer> {
  const full = {
    ArchiveName: `test-archive-${shortUid()}`,
    EventSourceArn: r.busArn("default"),
    ...input,
  };
  const created = await r.send("create_archive", full);
  r.afterwards(() => r.call("delete_archive", { ArchiveName: full.ArchiveName }));
  return created;
}

/** An archive of the tests' pattern on a default or custom bus: its name and the bus's. */
async function busAndArchive(r: Replay, type: "default" | "custom") {
  const bus = await r.defaultOrCustomBus(type);
  const archive = `test-archive-${shortUid()}`;
  const created = await createArchive(r, {
    ArchiveName: archive,
    EventSourceArn: bus.arn,
    Description: "description of the archive",
    EventPattern: pythonJson(TEST_EVENT_PATTERN),
    RetentionDays: 1,
  });
  r.regex(bus.name, "<event-bus-name>");
  r.regex(archive, "<archive-name>");
  return { bus, archive, created };
}

const testEntry = (bus?: string) => ({
  Source: TEST_EVENT_PATTERN.source[0],
  DetailType: TEST_EVENT_PATTERN["detail-type"][0],
  Detail: pythonJson(TEST_EVENT_DETAIL),
  ...(bus === undefined ? {} : { EventBusName: bus }),
});

/** `wait_for_replay_in_state`. */
async function replayState(r: Replay, name: string, state: string): Promise<void> {
  await until(
    async () => (await r.send("describe_replay", { ReplayName: name })).State === state,
    `replay ${name} ${state}`,
  );
}

/** A custom bus (deleted after) and an archive of everything on it: their ARNs. */
async function customBusArchive(r: Replay, archiveName?: string) {
  const bus = `test-bus-${shortUid()}`;
  const busArn = (await r.createEventBus({ Name: bus })).EventBusArn as string;
  const archiveArn = (
    await createArchive(r, {
      ...(archiveName ? { ArchiveName: archiveName } : {}),
      EventSourceArn: busArn,
      RetentionDays: 1,
    })
  ).ArchiveArn as string;
  return { bus, busArn, archiveArn };
}

/**
 * Waits until no replay of the account is active. AWS's tests ran far apart, each replay long
 * finished before the next test; here earlier cases' replays may still be starting, and count
 * against the ten a test that starts many may have.
 */
async function noActiveReplays(r: Replay): Promise<void> {
  await until(async () => {
    const { Replays = [] } = (await r.send("list_replays", {})) as { Replays?: { State: string }[] };
    return Replays.every((replay) => ["COMPLETED", "CANCELLED", "FAILED"].includes(replay.State));
  }, "the earlier cases' replays to end");
}

const inAMinute = (from: Date) => new Date(from.getTime() + 60_000);
const aMinuteBefore = (to: Date) => new Date(to.getTime() - 60_000);

export const cases: readonly ReplayCase[] = [
  ...busTypes.flatMap((type) => [
    replayed(file, `TestArchive::test_create_list_describe_update_delete_archive[${type}]`, async (r) => {
      const { archive, created } = await busAndArchive(r, type);
      r.match("create-archive", created);
      r.match("list-archives", await r.send("list_archives", { NamePrefix: archive }));
      r.match("describe-archive", await r.send("describe_archive", { ArchiveName: archive }));
      r.match(
        "update-archive",
        await r.send("update_archive", {
          ArchiveName: archive,
          Description: "updated description of the archive",
          EventPattern: pythonJson(TEST_EVENT_PATTERN_NO_DETAIL),
          RetentionDays: 2,
        }),
      );
      r.match("delete-archive", await r.send("delete_archive", { ArchiveName: archive }));
    }),
    replayed(file, `TestArchive::test_list_archive_with_name_prefix[${type}]`, async (r) => {
      const { archive } = await busAndArchive(r, type);
      r.match(
        "list-archives-with-name-prefix",
        await r.send("list_archives", { NamePrefix: "test-archive" }),
      );
      r.match("list-archives-with-full-name", await r.send("list_archives", { NamePrefix: archive }));
      r.match(
        "list-archives-not-existing-archive",
        await r.send("list_archives", { NamePrefix: "doesnotexist" }),
      );
    }),
    replayed(file, `TestArchive::test_list_archive_with_source_arn[${type}]`, async (r) => {
      const { bus } = await busAndArchive(r, type);
      r.match("list-archives-with-source-arn", await r.send("list_archives", { EventSourceArn: bus.arn }));
    }),
    replayed(file, `TestArchive::test_list_archive_state_enabled[${type}]`, async (r) => {
      await busAndArchive(r, type);
      r.match("list-archives-state-enabled", await r.send("list_archives", { State: "ENABLED" }));
    }),
    replayed(file, `TestArchive::test_create_archive_error_duplicate[${type}]`, async (r) => {
      const { bus, archive } = await busAndArchive(r, type);
      r.match(
        "create-archive-duplicate-error",
        await r.refuse("create_archive", {
          ArchiveName: archive,
          EventSourceArn: bus.arn,
          Description: "description of the archive",
          EventPattern: pythonJson(TEST_EVENT_PATTERN),
          RetentionDays: 1,
        }),
      );
    }),
    ...[true, false].map((patternMatch) =>
      replayed(
        file,
        `TestArchive::test_list_archive_with_events[${patternMatch ? "True" : "False"}-${type}]`,
        async (r) => {
          const bus = await r.defaultOrCustomBus(type);
          const archive = `test-archive-${shortUid()}`;
          await createArchive(r, {
            ArchiveName: archive,
            EventSourceArn: bus.arn,
            Description: "description of the archive",
            ...(patternMatch ? { EventPattern: pythonJson(TEST_EVENT_PATTERN) } : {}),
            RetentionDays: 1,
          });
          const entries = Array.from({ length: 10 }, () => testEntry());
          await r.putEventsWithFilter({
            pattern: TEST_EVENT_PATTERN,
            entriesAsserts: [[entries, true]],
            eventBusName: bus.name,
          });
          let count: unknown;
          await until(
            async () => {
              count = (await r.send("describe_archive", { ArchiveName: archive })).EventCount;
              return count === 10;
            },
            () => `10 events in ${archive}, not ${String(count)}`,
          );
          r.regex(bus.name, "<event-bus-name>");
          r.regex(archive, "<archive-name>");
          r.match("list-archives", await r.send("list_archives", { NamePrefix: archive }));
          r.match("describe-archive", await r.send("describe_archive", { ArchiveName: archive }));
        },
      ),
    ),
    replayed(file, `TestReplay::test_start_list_describe_canceled_replay[${type}]`, async (r) => {
      const eventStartTime = new Date();
      const eventEndTime = inAMinute(eventStartTime);
      const bus = await r.defaultOrCustomBus(type);
      const rule = `test-rule-${shortUid()}`;
      const ruleArn = (
        await r.putRule({ Name: rule, EventBusName: bus.name, EventPattern: pythonJson(TEST_EVENT_PATTERN) })
      ).RuleArn as string;
      const window = await r.window();
      await r.send("put_targets", {
        Rule: rule,
        EventBusName: bus.name,
        Targets: [{ Id: `target-${shortUid()}`, Arn: window.arn }],
      });
      // put_event_to_archive
      const archive = `test-archive-${shortUid()}`;
      const archiveArn = (
        await createArchive(r, {
          ArchiveName: archive,
          EventSourceArn: bus.arn,
          EventPattern: pythonJson(TEST_EVENT_PATTERN),
          RetentionDays: 1,
        })
      ).ArchiveArn as string;
      await r.send("put_events", { Entries: Array.from({ length: 3 }, () => testEntry(bus.name)) });
      await window.messages(3);
      await until(
        async () => (await r.send("describe_archive", { ArchiveName: archive })).EventCount === 3,
        `3 events in ${archive}`,
      );
      const replay = `test-replay-${shortUid()}`;
      const start = (ReplayName: string) =>
        r.send("start_replay", {
          ReplayName,
          Description: "description of the replay",
          EventSourceArn: archiveArn,
          EventStartTime: eventStartTime,
          EventEndTime: eventEndTime,
          Destination: { Arn: bus.arn, FilterArns: [ruleArn] },
        });
      const started = await start(replay);
      r.regex(bus.name, "<event-bus-name>");
      r.regex(rule, "<rule-name>");
      r.regex(archive, "<archive-name>");
      r.regex(replay, "<replay-name>");
      r.keyValue("ReceiptHandle", "receipt-handle");
      r.keyValue("MD5OfBody", "m-d5-of-body");
      r.keyValue("ReplayName", "replay-name");
      r.match("start-replay", started);
      await replayState(r, replay, "COMPLETED");
      r.match("replay-messages", (await window.messages(6)).slice(3));
      r.match("list-replays", await r.send("list_replays", { NamePrefix: replay }));
      r.match("describe-replay", await r.send("describe_replay", { ReplayName: replay }));
      const canceled = `test-replay-canceled-${shortUid()}`;
      await start(canceled);
      const cancel = await r.send("cancel_replay", { ReplayName: canceled });
      r.regex(canceled, "<replay-canceled-name>");
      r.match("cancel-replay", cancel);
      r.match("describe-replay-canceled", await r.send("describe_replay", { ReplayName: canceled }));
    }),
  ]),
  replayed(file, "TestArchive::test_create_archive_error_unknown_event_bus", async (r) => {
    const bus = `doesnotexist-${shortUid()}`;
    r.regex(bus, "<event-bus-name>");
    r.match(
      "create-archive-unknown-event-bus-error",
      await r.refuse("create_archive", {
        ArchiveName: "test-archive",
        EventSourceArn: `arn:aws:events:us-east-1:123456789012:event-bus/${bus}`,
        Description: "description of the archive",
        EventPattern: pythonJson(TEST_EVENT_PATTERN),
        RetentionDays: 1,
      }),
    );
  }),
  replayed(file, "TestArchive::test_describe_archive_error_unknown_archive", async (r) => {
    const name = `doesnotexist-${shortUid()}`;
    r.regex(name, "<archive-name>");
    r.match(
      "describe-archive-unknown-archive-error",
      await r.refuse("describe_archive", { ArchiveName: name }),
    );
  }),
  replayed(file, "TestArchive::test_list_archive_error_unknown_source_arn", async (r) => {
    const bus = `doesnotexist-${shortUid()}`;
    r.regex(bus, "<event-bus-name>");
    r.match(
      "list-archives-unknown-event-bus-error",
      await r.refuse("list_archives", { EventSourceArn: r.busArn(bus) }),
    );
  }),
  replayed(file, "TestArchive::test_delete_archive_error_unknown_archive", async (r) => {
    const name = `doesnotexist-${shortUid()}`;
    r.regex(name, "<archive-name>");
    r.match("delete-archive-unknown-archive-error", await r.refuse("delete_archive", { ArchiveName: name }));
  }),
  // Recorded from an earlier, parametrized version of the test that matched nothing under these
  // names: the calls are made, nothing is compared.
  ...["missing", "cross_region"].map((param) =>
    replayed(file, `TestReplay::test_start_replay_error_unknown_event_bus[${param}]`, async (r) => {
      const archiveArn = (await createArchive(r, { RetentionDays: 1 })).ArchiveArn as string;
      const now = new Date();
      await r.refuse("start_replay", {
        ReplayName: `test-replay-${shortUid()}`,
        EventSourceArn: archiveArn,
        EventStartTime: aMinuteBefore(now),
        EventEndTime: now,
        Destination: { Arn: r.busArn(`doesnotexist-${shortUid()}`) },
      });
    }),
  ),
  replayed(file, "TestReplay::test_start_replay_error_unknown_event_bus", async (r) => {
    const archiveArn = (await createArchive(r, { RetentionDays: 1 })).ArchiveArn as string;
    const bus = `doesnotexist-${shortUid()}`;
    const end = new Date();
    const input = (Arn: string) => ({
      ReplayName: `test-replay-${shortUid()}`,
      Description: "description of the replay",
      EventSourceArn: archiveArn,
      EventStartTime: aMinuteBefore(end),
      EventEndTime: end,
      Destination: { Arn },
    });
    r.regex(bus, "<event-bus-name>");
    r.match("start-replay-unknown-event-bus-error", await r.refuse("start_replay", input(r.busArn(bus))));
    const busArn = (await r.createEventBus({ Name: bus })).EventBusArn as string;
    r.match("start-replay-wrong-event-bus-error", await r.refuse("start_replay", input(busArn)));
  }),
  replayed(file, "TestReplay::test_list_replays_with_prefix", async (r) => {
    const eventStartTime = new Date();
    const { busArn, archiveArn } = await customBusArchive(r);
    const prefix = shortUid();
    const replay = `${prefix}-test-replay`;
    const start = (ReplayName: string) =>
      r.send("start_replay", {
        ReplayName,
        EventSourceArn: archiveArn,
        EventStartTime: eventStartTime,
        EventEndTime: inAMinute(eventStartTime),
        Destination: { Arn: busArn },
      });
    await start(replay);
    await replayState(r, replay, "COMPLETED");
    await start(`${shortUid()}-this-replay-should-not-be-listed`);
    const full = await r.send("list_replays", { NamePrefix: replay });
    r.regex(prefix, "<replay-name-prefix>");
    r.regex(archiveArn, "<archive-arn>");
    r.match("list-replays-with-full-name", full);
    r.match("list-replays-with-prefix", await r.send("list_replays", { NamePrefix: prefix }));
  }),
  replayed(file, "TestReplay::test_list_replays_with_event_source_arn", async (r) => {
    const eventStartTime = new Date();
    const { busArn, archiveArn } = await customBusArchive(r);
    const replay = `test-replay-${shortUid()}`;
    await r.send("start_replay", {
      ReplayName: replay,
      EventSourceArn: archiveArn,
      EventStartTime: eventStartTime,
      EventEndTime: inAMinute(eventStartTime),
      Destination: { Arn: busArn },
    });
    await replayState(r, replay, "COMPLETED");
    const listed = await r.send("list_replays", { EventSourceArn: archiveArn });
    r.regex(replay, "<replay-name>");
    r.regex(archiveArn, "<archive-arn>");
    r.match("list-replays-with-event-source-arn", listed);
  }),
  replayed(file, "TestReplay::test_list_replay_with_limit", async (r) => {
    const eventStartTime = new Date();
    const archive = `test-archive-${shortUid()}`;
    const { busArn, archiveArn } = await customBusArchive(r, archive);
    const prefix = shortUid();
    for (let i = 0; i < 6; i++) {
      const replay = `${prefix}-test-replay-${i}`;
      await r.send("start_replay", {
        ReplayName: replay,
        Description: "description of the replay",
        EventSourceArn: archiveArn,
        EventStartTime: eventStartTime,
        EventEndTime: inAMinute(eventStartTime),
        Destination: { Arn: busArn },
      });
      await replayState(r, replay, "COMPLETED");
    }
    const first = await r.send("list_replays", { Limit: 3, NamePrefix: prefix });
    r.regex(prefix, "<replay-name-prefix>");
    r.regex(archive, "<archive-name>");
    r.match("list-replays-with-limit", first);
    r.match(
      "list-replays-with-limit-next-token",
      await r.send("list_replays", { Limit: 5, NextToken: first.NextToken, NamePrefix: prefix }),
    );
  }),
  replayed(file, "TestReplay::test_start_replay_error_unknown_archive", async (r) => {
    const name = `doesnotexist-${shortUid()}`;
    const end = new Date();
    r.regex(name, "<archive-name>");
    r.match(
      "start-replay-unknown-archive-error",
      await r.refuse("start_replay", {
        ReplayName: "test-replay",
        Description: "description of the replay",
        EventSourceArn: `arn:aws:events:${r.region}:${r.accountId}:archive/${name}`,
        EventStartTime: aMinuteBefore(end),
        EventEndTime: end,
        Destination: { Arn: r.busArn("default") },
      }),
    );
  }),
  replayed(file, "TestReplay::test_start_replay_error_duplicate_name_same_archive", async (r) => {
    const { busArn, archiveArn } = await customBusArchive(r);
    const replay = `test-replay-${shortUid()}`;
    const end = new Date();
    const input = {
      ReplayName: replay,
      Description: "description of the replay",
      EventSourceArn: archiveArn,
      EventStartTime: aMinuteBefore(end),
      EventEndTime: end,
      Destination: { Arn: busArn },
    };
    await r.send("start_replay", input);
    r.regex(replay, "<replay-name>");
    r.match("start-replay-duplicate-error", await r.refuse("start_replay", input));
  }),
  replayed(file, "TestReplay::test_start_replay_error_duplicate_different_archive", async (r) => {
    await noActiveReplays(r);
    const one = await customBusArchive(r);
    const two = await customBusArchive(r);
    const replay = `test-replay-${shortUid()}`;
    const end = new Date();
    const input = (bus: { busArn: string; archiveArn: string }) => ({
      ReplayName: replay,
      Description: "description of the replay",
      EventSourceArn: bus.archiveArn,
      EventStartTime: aMinuteBefore(end),
      EventEndTime: end,
      Destination: { Arn: bus.busArn },
    });
    await r.send("start_replay", input(one));
    r.regex(replay, "<replay-name>");
    r.match("start-replay-duplicate-error", await r.refuse("start_replay", input(two)));
  }),
  ...[0, 10].map((delta) =>
    replayed(file, `TestReplay::test_start_replay_error_invalid_end_time[${delta}]`, async (r) => {
      const bus = `test-bus-${shortUid()}`;
      const busArn = (await r.createEventBus({ Name: bus })).EventBusArn as string;
      const archiveArn = (await createArchive(r)).ArchiveArn as string;
      const start = new Date();
      const end = new Date(Math.floor(start.getTime() / 1000) * 1000 - delta * 1000);
      r.match(
        "start-replay-invalid-end-time-error",
        await r.refuse("start_replay", {
          ReplayName: `test-replay-${shortUid()}`,
          Description: "description of the replay",
          EventSourceArn: archiveArn,
          EventStartTime: start,
          EventEndTime: end,
          Destination: { Arn: busArn },
        }),
      );
    }),
  ),
  replayed(file, "TestReplay::tests_concurrency_error_too_many_active_replays", async (r) => {
    await noActiveReplays(r);
    const archive = `test-archive-${shortUid()}`;
    const { busArn, archiveArn } = await customBusArchive(r, archive);
    const prefix = shortUid();
    const end = new Date();
    const input = (i: number) => ({
      ReplayName: `${prefix}-test-replay-${i}`,
      Description: "description of the replay",
      EventSourceArn: archiveArn,
      EventStartTime: aMinuteBefore(end),
      EventEndTime: end,
      Destination: { Arn: busArn },
    });
    for (let i = 0; i < 10; i++) await r.send("start_replay", input(i));
    r.match("list-replays-with-limit", await r.refuse("start_replay", input(10)));
  }),
  replayed(file, "TestReplay::test_describe_replay_error_unknown_replay", async (r) => {
    const name = `doesnotexist-${shortUid()}`;
    r.regex(name, "<replay-name>");
    r.match("describe-replay-unknown-replay-error", await r.refuse("describe_replay", { ReplayName: name }));
  }),
];
