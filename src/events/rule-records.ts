/**
 * Rules and their targets as the store holds them. A target is kept as AWS's `Target` structure
 * (JSON), whatever service it names, so that ListTargetsByRule answers exactly what PutTargets
 * was given. Every change here moves the bus's rules generation (`bus-records.ts`).
 */
import type { SqlExecutor } from "../store/index.js";
import { bumpRulesGeneration, type EventsScope, ruleArn } from "./bus-records.js";

export const ruleStates = ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"] as const;
export type RuleState = (typeof ruleStates)[number];

export interface RuleRecord {
  readonly busName: string;
  readonly name: string;
  readonly arn: string;
  /** As PutRule was given it. */
  readonly eventPattern?: string;
  readonly scheduleExpression?: string;
  readonly state: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
  readonly managedBy?: string;
  readonly createdBy: string;
}

/** AWS's `Target`: Id, Arn, and whatever else PutTargets gave. */
export interface TargetDefinition {
  readonly Id: string;
  readonly Arn: string;
  readonly [member: string]: unknown;
}

interface RuleRow {
  bus_name: string;
  name: string;
  event_pattern: string | null;
  schedule_expression: string | null;
  state: RuleState;
  description: string | null;
  role_arn: string | null;
  managed_by: string | null;
  created_by: string;
}

const ruleColumns =
  "bus_name, name, event_pattern, schedule_expression, state, description, role_arn, managed_by, created_by";

function ruleOf(scope: EventsScope, row: RuleRow): RuleRecord {
  return {
    busName: row.bus_name,
    name: row.name,
    arn: ruleArn(scope, row.bus_name, row.name),
    ...(row.event_pattern !== null ? { eventPattern: row.event_pattern } : {}),
    ...(row.schedule_expression !== null ? { scheduleExpression: row.schedule_expression } : {}),
    state: row.state,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.role_arn !== null ? { roleArn: row.role_arn } : {}),
    ...(row.managed_by !== null ? { managedBy: row.managed_by } : {}),
    createdBy: row.created_by,
  };
}

export async function findRule(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  name: string,
): Promise<RuleRecord | undefined> {
  const row = await db.get<RuleRow>(
    `SELECT ${ruleColumns} FROM events_rules WHERE account_id = ? AND region = ? AND bus_name = ? AND name = ?`,
    [scope.accountId, scope.region, bus, name],
  );
  return row ? ruleOf(scope, row) : undefined;
}

/** The bus's rules whose names start with `prefix`, in name order. */
export async function listRules(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  prefix = "",
): Promise<RuleRecord[]> {
  const rows = await db.all<RuleRow>(
    `SELECT ${ruleColumns} FROM events_rules WHERE account_id = ? AND region = ? AND bus_name = ? ORDER BY name`,
    [scope.accountId, scope.region, bus],
  );
  return rows.filter((row) => row.name.startsWith(prefix)).map((row) => ruleOf(scope, row));
}

export type RuleInput = Omit<RuleRecord, "arn" | "busName" | "createdBy">;

/** Creates or replaces a rule (PutRule); a replaced rule keeps its targets and creator. */
export async function putRule(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  rule: RuleInput,
  createdBy: string,
  now: number,
): Promise<string> {
  const values = [
    rule.eventPattern ?? null,
    rule.scheduleExpression ?? null,
    rule.state,
    rule.description ?? null,
    rule.roleArn ?? null,
    rule.managedBy ?? null,
  ];
  const { changes } = await db.run(
    `UPDATE events_rules SET event_pattern = ?, schedule_expression = ?, state = ?, description = ?, role_arn = ?,
       managed_by = ? WHERE account_id = ? AND region = ? AND bus_name = ? AND name = ?`,
    [...values, scope.accountId, scope.region, bus, rule.name],
  );
  if (changes === 0) {
    await db.run(
      `INSERT INTO events_rules (account_id, region, bus_name, name, event_pattern, schedule_expression, state,
         description, role_arn, managed_by, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [scope.accountId, scope.region, bus, rule.name, ...values, createdBy, now],
    );
  }
  await bumpRulesGeneration(db, scope, bus, now);
  return ruleArn(scope, bus, rule.name);
}

export async function setRuleState(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  name: string,
  state: RuleState,
  now: number,
): Promise<boolean> {
  const { changes } = await db.run(
    "UPDATE events_rules SET state = ? WHERE account_id = ? AND region = ? AND bus_name = ? AND name = ?",
    [state, scope.accountId, scope.region, bus, name],
  );
  if (changes > 0) await bumpRulesGeneration(db, scope, bus, now);
  return changes > 0;
}

export async function deleteRule(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  name: string,
  now: number,
): Promise<void> {
  const key = [scope.accountId, scope.region, bus, name];
  await db.run(
    "DELETE FROM events_targets WHERE account_id = ? AND region = ? AND bus_name = ? AND rule_name = ?",
    key,
  );
  await db.run(
    "DELETE FROM events_rules WHERE account_id = ? AND region = ? AND bus_name = ? AND name = ?",
    key,
  );
  await db.run("DELETE FROM events_tags WHERE resource_arn = ?", [ruleArn(scope, bus, name)]);
  await bumpRulesGeneration(db, scope, bus, now);
}

interface TargetRow {
  rule_name: string;
  definition: string;
}

/** A rule's targets, in Id order. */
export async function listTargets(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  rule: string,
): Promise<TargetDefinition[]> {
  const rows = await db.all<TargetRow>(
    `SELECT rule_name, definition FROM events_targets
       WHERE account_id = ? AND region = ? AND bus_name = ? AND rule_name = ? ORDER BY target_id`,
    [scope.accountId, scope.region, bus, rule],
  );
  return rows.map((row) => JSON.parse(row.definition) as TargetDefinition);
}

/** Every target of every rule of a bus, by rule name. */
export async function targetsOfBus(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
): Promise<Map<string, TargetDefinition[]>> {
  const rows = await db.all<TargetRow>(
    `SELECT rule_name, definition FROM events_targets WHERE account_id = ? AND region = ? AND bus_name = ?
       ORDER BY rule_name, target_id`,
    [scope.accountId, scope.region, bus],
  );
  const byRule = new Map<string, TargetDefinition[]>();
  for (const row of rows) {
    const list = byRule.get(row.rule_name) ?? [];
    list.push(JSON.parse(row.definition) as TargetDefinition);
    byRule.set(row.rule_name, list);
  }
  return byRule;
}

export async function putTarget(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  rule: string,
  target: TargetDefinition,
): Promise<void> {
  const key = [scope.accountId, scope.region, bus, rule, target.Id];
  const definition = JSON.stringify(target);
  const { changes } = await db.run(
    `UPDATE events_targets SET arn = ?, definition = ?
       WHERE account_id = ? AND region = ? AND bus_name = ? AND rule_name = ? AND target_id = ?`,
    [target.Arn, definition, ...key],
  );
  if (changes === 0) {
    await db.run(
      `INSERT INTO events_targets (account_id, region, bus_name, rule_name, target_id, arn, definition)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [...key, target.Arn, definition],
    );
  }
}

export async function deleteTarget(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  rule: string,
  id: string,
): Promise<boolean> {
  const { changes } = await db.run(
    "DELETE FROM events_targets WHERE account_id = ? AND region = ? AND bus_name = ? AND rule_name = ? AND target_id = ?",
    [scope.accountId, scope.region, bus, rule, id],
  );
  return changes > 0;
}

/** The names of the bus's rules with a target of this ARN, in name order. */
export async function ruleNamesByTarget(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  arn: string,
): Promise<string[]> {
  const rows = await db.all<{ rule_name: string }>(
    `SELECT DISTINCT rule_name FROM events_targets WHERE account_id = ? AND region = ? AND arn = ? AND bus_name = ?
       ORDER BY rule_name`,
    [scope.accountId, scope.region, arn, bus],
  );
  return rows.map((row) => row.rule_name);
}
