import { describe, expect, it } from "vitest";
import { parseScheduleExpression } from "./schedule-expression.js";

describe("rate expressions", () => {
  it("reads a whole number and a unit, singular for 1 and plural otherwise", () => {
    expect(parseScheduleExpression("rate(1 minute)")).toEqual({ kind: "rate", value: 1, unit: "minute" });
    expect(parseScheduleExpression("rate(10 hours)")).toEqual({ kind: "rate", value: 10, unit: "hour" });
    expect(parseScheduleExpression("rate(7 days)")).toEqual({ kind: "rate", value: 7, unit: "day" });
  });

  // The expressions LocalStack's test_put_rule_with_invalid_schedule_rate has AWS refuse.
  it.each([
    "rate(10 seconds)",
    "rate(10 years)",
    "rate(1 minutes)",
    "rate(1 hours)",
    "rate(1 days)",
    "rate(10 minute)",
    "rate(10 hour)",
    "rate(10 day)",
    "rate()",
    "rate(10)",
    "rate(10 minutess)",
    "rate(foo minutes)",
    "rate(0 minutes)",
    "rate(-10 minutes)",
    "rate(10 MINUTES)",
    "rate( 10 minutes )",
    " rate(10 minutes)",
  ])("refuses %s", (text) => {
    expect(parseScheduleExpression(text)).toBeUndefined();
  });
});

describe("cron expressions", () => {
  // The expressions AWS accepted in test_events_schedule's recordings.
  it.each([
    "cron(* * ? * SAT#3 *)",
    "cron(0 10 * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 2 ? * SAT *)",
    "cron(0 8 1 * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/15 * * * ? *)",
    "cron(0/30 0-2 ? * MON-FRI *)",
    "cron(0/5 5 ? JAN 1-5 2022)",
    "cron(15 10 ? * 6L 2002-2005)",
    "cron(5,35 14 * * ? *)",
    "cron(0 20 * * ? *)",
  ])("accepts %s", (text) => {
    expect(parseScheduleExpression(text)?.kind).toBe("cron");
  });

  // The expressions AWS refused in the recordings, and more of each kind of mistake.
  it.each([
    "cron(0 1 * * * *)",
    "cron(0 1 ? * ? *)",
    "cron(7 20 * * NOT *)",
    "cron(INVALID)",
    "cron(0 dummy ? * MON-FRI *)",
    "cron(71 8 1 * ? *)",
    "cron(0 24 * * ? *)",
    "cron(0 0 32 * ? *)",
    "cron(0 0 0 * ? *)",
    "cron(0 0 * 13 ? *)",
    "cron(0 0 ? * 8 *)",
    "cron(0 0 ? * SAT#6 *)",
    "cron(0 0 * * ? 1969)",
    "cron(0 0 * * ? 2200)",
    "cron(0/0 0 * * ? *)",
    "cron(0 0 * * ?)",
    "cron(0 0 * * ? * *)",
    "cron(0  0 * * ? *)",
  ])("refuses %s", (text) => {
    expect(parseScheduleExpression(text)).toBeUndefined();
  });

  it("expands each field into the values it allows", () => {
    expect(parseScheduleExpression("cron(0/15 8-10 ? JAN,MAR MON-FRI 2024)")).toEqual({
      kind: "cron",
      minutes: [0, 15, 30, 45],
      hours: [8, 9, 10],
      days: { by: "weekdays", weekdays: [2, 3, 4, 5, 6] },
      months: [1, 3],
      years: [2024],
    });
  });

  it("reads the day fields' special forms", () => {
    const days = (text: string) => (parseScheduleExpression(text) as { days: unknown }).days;
    expect(days("cron(0 0 L * ? *)")).toEqual({ by: "last-day" });
    expect(days("cron(0 0 LW * ? *)")).toEqual({ by: "last-weekday" });
    expect(days("cron(0 0 15W * ? *)")).toEqual({ by: "nearest-weekday", day: 15 });
    expect(days("cron(15 10 ? * 6L 2002-2005)")).toEqual({ by: "last-weekday-of-kind", weekday: 6 });
    expect(days("cron(0 2 ? * SAT#3 *)")).toEqual({ by: "nth-weekday", weekday: 7, nth: 3 });
    expect(days("cron(0 0 1,15 * ? *)")).toEqual({ by: "month-days", days: [1, 15] });
  });

  it("wraps a range whose end is below its start", () => {
    expect(parseScheduleExpression("cron(0 22-1 * * ? *)")).toMatchObject({ hours: [0, 1, 22, 23] });
  });
});
