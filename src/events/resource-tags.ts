/** Tags on buses and rules, by ARN, as TagResource, UntagResource and ListTagsForResource keep them. */
import type { SqlExecutor } from "../store/index.js";
import { defaultBusName, type EventsScope, findBus } from "./bus-records.js";
import { eventsErrors } from "./events-errors.js";
import { findRule } from "./rule-records.js";

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** Refuses a tag list that names a key twice, as EventBridge does. */
export function checkTags(tags: readonly Tag[]): void {
  if (new Set(tags.map((tag) => tag.Key)).size < tags.length) throw eventsErrors.duplicateTagKeys();
}

/**
 * The bus or rule an ARN names must exist: `event-bus/NAME`, `rule/NAME` (on the default bus) or
 * `rule/BUS/NAME`; ResourceNotFoundException in EventBridge's words otherwise.
 */
export async function requireTaggable(db: SqlExecutor, scope: EventsScope, arn: string): Promise<void> {
  const resource = arn.split(":").slice(5).join(":");
  if (resource.startsWith("event-bus/")) {
    const name = resource.slice("event-bus/".length);
    if (!(await findBus(db, scope, name))) throw eventsErrors.busNotFound(name);
    return;
  }
  if (resource.startsWith("rule/")) {
    const parts = resource.slice("rule/".length).split("/");
    const [bus, name] =
      parts.length > 1 ? [parts[0]!, parts.slice(1).join("/")] : [defaultBusName, parts[0]!];
    if (!(await findBus(db, scope, bus))) throw eventsErrors.busNotFound(bus);
    if (!(await findRule(db, scope, bus, name))) throw eventsErrors.ruleNotFound(name, bus);
    return;
  }
  throw eventsErrors.invalidArn(arn);
}

export async function putTags(db: SqlExecutor, arn: string, tags: readonly Tag[]): Promise<void> {
  checkTags(tags);
  for (const tag of tags) {
    const { changes } = await db.run(
      "UPDATE events_tags SET tag_value = ? WHERE resource_arn = ? AND tag_key = ?",
      [tag.Value, arn, tag.Key],
    );
    if (changes === 0) {
      await db.run("INSERT INTO events_tags (resource_arn, tag_key, tag_value) VALUES (?, ?, ?)", [
        arn,
        tag.Key,
        tag.Value,
      ]);
    }
  }
}

export async function removeTags(db: SqlExecutor, arn: string, keys: readonly string[]): Promise<void> {
  for (const key of keys)
    await db.run("DELETE FROM events_tags WHERE resource_arn = ? AND tag_key = ?", [arn, key]);
}

export async function listTags(db: SqlExecutor, arn: string): Promise<Tag[]> {
  const rows = await db.all<{ tag_key: string; tag_value: string }>(
    "SELECT tag_key, tag_value FROM events_tags WHERE resource_arn = ? ORDER BY tag_key",
    [arn],
  );
  return rows.map((row) => ({ Key: row.tag_key, Value: row.tag_value }));
}
