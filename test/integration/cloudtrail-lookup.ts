// What a user finds with `aws cloudtrail lookup-events`, through Debian's AWS CLI: each event with
// its CloudTrail record parsed.
import { expect } from "vitest";
import { aws, type JeffProcess } from "./jeff-process.js";

/** A record read back as JSON: its shape is what the assertions check. */
// biome-ignore lint/suspicious/noExplicitAny: records are checked field by field with toMatchObject
export type TrailJson = Record<string, any>;

export interface TrailEvent {
  EventName: string;
  ReadOnly: string;
  Username?: string;
  Resources: Array<{ ResourceType: string; ResourceName: string }>;
  CloudTrailEvent: string;
}

/** Management events found by one lookup attribute, newest first, as the CLI lists them. */
export async function lookupEvents(jeff: JeffProcess, key: string, value: string, extra: string[] = []) {
  const result = await aws(
    [
      "cloudtrail",
      "lookup-events",
      "--lookup-attributes",
      `AttributeKey=${key},AttributeValue=${value}`,
      "--output",
      "json",
      ...extra,
    ],
    jeff.awsEnv(),
  );
  expect(result.stderr).toBe("");
  return (JSON.parse(result.stdout) as { Events: TrailEvent[] }).Events.map((event) => ({
    ...event,
    record: JSON.parse(event.CloudTrailEvent) as TrailJson,
  }));
}
