/**
 * Event buses as the store holds them. The `default` bus of every account and Region always
 * exists: it has a row only once something is kept on it (a rule, a policy), and reads that find
 * none answer it as it is when new.
 */
import type { SqlExecutor } from "../store/index.js";
import { eventsErrors } from "./events-errors.js";

export interface EventsScope {
  readonly accountId: string;
  readonly region: string;
}

export const defaultBusName = "default";

export interface BusRecord {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  /** The resource policy as JSON text. */
  readonly policy?: string;
  readonly kmsKeyIdentifier?: string;
  readonly deadLetterArn?: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
  /** Moves with every change to the bus's rules and targets. */
  readonly rulesGeneration: number;
}

export const busArn = (scope: EventsScope, name: string) =>
  `arn:aws:events:${scope.region}:${scope.accountId}:event-bus/${name}`;

/** A rule's ARN: `rule/NAME` on the default bus, `rule/BUS/NAME` on another. */
export const ruleArn = (scope: EventsScope, bus: string, name: string) =>
  `arn:aws:events:${scope.region}:${scope.accountId}:rule/${bus === defaultBusName ? "" : `${bus}/`}${name}`;

/**
 * The bus an `EventBusName` parameter names: a name, or a bus ARN (whose account and Region are
 * the caller's, as cross-account buses are not served here).
 */
export function busNameOf(nameOrArn: unknown): string {
  if (typeof nameOrArn !== "string" || nameOrArn === "") return defaultBusName;
  const slash = nameOrArn.startsWith("arn:") ? nameOrArn.indexOf(":event-bus/") : -1;
  return slash === -1 ? nameOrArn : nameOrArn.slice(slash + ":event-bus/".length);
}

interface BusRow {
  name: string;
  description: string | null;
  policy: string | null;
  kms_key_identifier: string | null;
  dead_letter_arn: string | null;
  created_at: number | string;
  modified_at: number | string;
  rules_generation: number | string;
}

function busOf(scope: EventsScope, row: BusRow): BusRecord {
  return {
    name: row.name,
    arn: busArn(scope, row.name),
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.policy !== null ? { policy: row.policy } : {}),
    ...(row.kms_key_identifier !== null ? { kmsKeyIdentifier: row.kms_key_identifier } : {}),
    ...(row.dead_letter_arn !== null ? { deadLetterArn: row.dead_letter_arn } : {}),
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
    rulesGeneration: Number(row.rules_generation),
  };
}

/** The default bus as it is before anything is kept on it. */
const pristineDefault = (scope: EventsScope): BusRecord => ({
  name: defaultBusName,
  arn: busArn(scope, defaultBusName),
  createdAt: 0,
  modifiedAt: 0,
  rulesGeneration: 0,
});

const busColumns =
  "name, description, policy, kms_key_identifier, dead_letter_arn, created_at, modified_at, rules_generation";

export async function findBus(
  db: SqlExecutor,
  scope: EventsScope,
  name: string,
): Promise<BusRecord | undefined> {
  const row = await db.get<BusRow>(
    `SELECT ${busColumns} FROM events_buses WHERE account_id = ? AND region = ? AND name = ?`,
    [scope.accountId, scope.region, name],
  );
  if (row) return busOf(scope, row);
  return name === defaultBusName ? pristineDefault(scope) : undefined;
}

/** The bus, or ResourceNotFoundException in EventBridge's words. */
export async function requireBus(db: SqlExecutor, scope: EventsScope, name: string): Promise<BusRecord> {
  const bus = await findBus(db, scope, name);
  if (!bus) throw eventsErrors.busNotFound(name);
  return bus;
}

export interface NewBus {
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyIdentifier?: string;
  readonly deadLetterArn?: string;
}

export async function insertBus(
  db: SqlExecutor,
  scope: EventsScope,
  bus: NewBus,
  now: number,
): Promise<BusRecord> {
  if (bus.name === defaultBusName || (await findBus(db, scope, bus.name)))
    throw eventsErrors.busExists(bus.name);
  await db.run(
    `INSERT INTO events_buses (account_id, region, name, description, policy, kms_key_identifier, dead_letter_arn,
       created_at, modified_at, custom, rules_generation) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, 1, 0)`,
    [
      scope.accountId,
      scope.region,
      bus.name,
      bus.description ?? null,
      bus.kmsKeyIdentifier ?? null,
      bus.deadLetterArn ?? null,
      now,
      now,
    ],
  );
  return (await findBus(db, scope, bus.name))!;
}

/** Gives the default bus its row, so something can be kept on it; a no-op for any other bus. */
async function materialise(db: SqlExecutor, scope: EventsScope, name: string, now: number): Promise<void> {
  if (name !== defaultBusName) return;
  const existing = await db.get(
    "SELECT name FROM events_buses WHERE account_id = ? AND region = ? AND name = ?",
    [scope.accountId, scope.region, name],
  );
  if (existing) return;
  await db.run(
    `INSERT INTO events_buses (account_id, region, name, description, policy, kms_key_identifier, dead_letter_arn,
       created_at, modified_at, custom, rules_generation) VALUES (?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, 0, 0)`,
    [scope.accountId, scope.region, name, now, now],
  );
}

/** Marks the bus's rules as changed, so every node recompiles its matcher. */
export async function bumpRulesGeneration(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  now: number,
): Promise<void> {
  await materialise(db, scope, bus, now);
  await db.run(
    "UPDATE events_buses SET rules_generation = rules_generation + 1 WHERE account_id = ? AND region = ? AND name = ?",
    [scope.accountId, scope.region, bus],
  );
}

export async function setBusPolicy(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  policy: string | undefined,
  now: number,
): Promise<void> {
  await materialise(db, scope, bus, now);
  await db.run(
    "UPDATE events_buses SET policy = ?, modified_at = ? WHERE account_id = ? AND region = ? AND name = ?",
    [policy ?? null, now, scope.accountId, scope.region, bus],
  );
}

/** Deletes a custom bus with its rules and targets; true when there was one. */
export async function deleteBus(db: SqlExecutor, scope: EventsScope, name: string): Promise<boolean> {
  const key = [scope.accountId, scope.region, name];
  await db.run("DELETE FROM events_targets WHERE account_id = ? AND region = ? AND bus_name = ?", key);
  await db.run("DELETE FROM events_rules WHERE account_id = ? AND region = ? AND bus_name = ?", key);
  const { changes } = await db.run(
    "DELETE FROM events_buses WHERE account_id = ? AND region = ? AND name = ?",
    key,
  );
  await db.run("DELETE FROM events_tags WHERE resource_arn = ?", [busArn(scope, name)]);
  return changes > 0;
}

/** Buses whose names start with `prefix`, in name order; the default bus whether or not it has a row. */
export async function listBuses(db: SqlExecutor, scope: EventsScope, prefix: string): Promise<BusRecord[]> {
  const rows = await db.all<BusRow>(
    `SELECT ${busColumns} FROM events_buses WHERE account_id = ? AND region = ? ORDER BY name`,
    [scope.accountId, scope.region],
  );
  const buses = rows.map((row) => busOf(scope, row));
  if (!buses.some((bus) => bus.name === defaultBusName)) buses.push(pristineDefault(scope));
  return buses
    .filter((bus) => bus.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
