// test_events_schedule.py: PutRule with a ScheduleExpression, validated and kept (firing comes
// with the schedules).
import { type ReplayCase, replayed } from "../case.js";
import { shortUid } from "../replay.js";

const file = "test_events_schedule" as const;

const crons = [
  "cron(* * ? * SAT#3 *)",
  "cron(0 10 * * ? *)",
  "cron(0 12 * * ? *)",
  "cron(0 18 ? * MON-FRI *)",
  "cron(0 2 ? * SAT *)",
  "cron(0 2 ? * SAT#3 *)",
  "cron(0 8 1 * ? *)",
  "cron(0/10 * ? * MON-FRI *)",
  "cron(0/15 * * * ? *)",
  "cron(0/30 0-2 ? * MON-FRI *)",
  "cron(0/30 20-23 ? * MON-FRI *)",
  "cron(0/5 5 ? JAN 1-5 2022)",
  "cron(0/5 8-17 ? * MON-FRI *)",
  "cron(15 10 ? * 6L 2002-2005)",
  "cron(15 12 * * ? *)",
  "cron(5,35 14 * * ? *)",
];

const invalidCrons = [
  "cron(0 1 * * * *)",
  "cron(7 20 * * NOT *)",
  "cron(INVALID)",
  "cron(0 dummy ? * MON-FRI *)",
  "cron(71 8 1 * ? *)",
];

export const cases: ReplayCase[] = [
  replayed(file, "TestScheduleRate::test_put_rule_with_schedule_rate", async (r) => {
    const rule = `rule-${shortUid()}`;
    r.match("put-rule", await r.putRule({ Name: rule, ScheduleExpression: "rate(1 minute)" }));
    r.match("list-rules", await r.send("list_rules", { NamePrefix: rule }));
  }),
  replayed(file, "TestScheduleRate::tests_put_rule_with_schedule_custom_event_bus", async (r) => {
    const bus = `test-bus-${shortUid()}`;
    await r.createEventBus({ Name: bus });
    r.match(
      "put-rule-with-custom-event-bus-error",
      await r.refuse("put_rule", {
        Name: `test-rule-${shortUid()}`,
        EventBusName: bus,
        ScheduleExpression: "rate(1 minute)",
      }),
    );
  }),
  // Recorded before the test took its expression as a parameter.
  replayed(file, "TestScheduleCron::tests_put_rule_with_schedule_cron", async (r) => {
    const rule = `rule-${shortUid()}`;
    r.match("put-rule", await r.putRule({ Name: rule, ScheduleExpression: "cron(0 20 * * ? *)" }));
    r.match("list-rules", await r.send("list_rules", { NamePrefix: rule }));
  }),
  ...crons.map((cron) =>
    replayed(file, `TestScheduleCron::tests_put_rule_with_schedule_cron[${cron}]`, async (r) => {
      const rule = `rule-${shortUid()}`;
      r.match("put-rule", await r.putRule({ Name: rule, ScheduleExpression: cron }));
      r.match("list-rules", await r.send("list_rules", { NamePrefix: rule }));
    }),
  ),
  ...invalidCrons.map((cron) =>
    replayed(file, `TestScheduleCron::tests_put_rule_with_invalid_schedule_cron[${cron}]`, async (r) => {
      const rule = `rule-${shortUid()}`;
      r.afterwards(() => r.call("delete_rule", { Name: rule }));
      r.match("invalid-put-rule", await r.refuse("put_rule", { Name: rule, ScheduleExpression: cron }));
    }),
  ),
];
