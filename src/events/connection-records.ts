/**
 * Connections and API destinations as the store holds them. A connection's auth parameters are
 * kept whole, secrets included (API key values, passwords, OAuth client secrets): on AWS they go
 * to Secrets Manager, which Jeff does not have yet, so they stay in the store, which holds
 * secrets already (access keys) and which no function can reach. Answers never show them.
 */
import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "../store/index.js";
import type { EventsScope } from "./bus-records.js";

export type AuthorizationType = "BASIC" | "API_KEY" | "OAUTH_CLIENT_CREDENTIALS";

export interface ConnectionRecord {
  readonly name: string;
  readonly arn: string;
  readonly secretArn: string;
  readonly description?: string;
  readonly authorizationType: AuthorizationType;
  /** AWS's AuthParameters as given, secrets and all. */
  readonly authParameters: Record<string, unknown>;
  readonly state: string;
  /** Why an OAuth connection is DEAUTHORIZED: what its authorization endpoint answered. */
  readonly stateReason?: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly authorizedAt: number;
}

export interface ApiDestinationRecord {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly connectionArn: string;
  readonly endpoint: string;
  readonly httpMethod: string;
  readonly rateLimit: number;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

const arnBase = (scope: EventsScope) => `arn:aws:events:${scope.region}:${scope.accountId}`;

interface ConnectionRow {
  name: string;
  resource_id: string;
  secret_id: string;
  description: string | null;
  authorization_type: AuthorizationType;
  auth_parameters: string;
  state: string;
  state_reason: string | null;
  created_at: number | string;
  modified_at: number | string;
  authorized_at: number | string;
}

function connectionOf(scope: EventsScope, row: ConnectionRow): ConnectionRecord {
  return {
    name: row.name,
    arn: `${arnBase(scope)}:connection/${row.name}/${row.resource_id}`,
    secretArn: `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:events!connection/${row.name}/${row.secret_id}`,
    ...(row.description !== null ? { description: row.description } : {}),
    authorizationType: row.authorization_type,
    authParameters: JSON.parse(row.auth_parameters) as Record<string, unknown>,
    state: row.state,
    ...(row.state_reason !== null ? { stateReason: row.state_reason } : {}),
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
    authorizedAt: Number(row.authorized_at),
  };
}

const connectionColumns =
  "name, resource_id, secret_id, description, authorization_type, auth_parameters, state, state_reason, created_at, modified_at, authorized_at";

export async function findConnection(
  db: SqlExecutor,
  scope: EventsScope,
  name: string,
): Promise<ConnectionRecord | undefined> {
  const row = await db.get<ConnectionRow>(
    `SELECT ${connectionColumns} FROM events_connections WHERE account_id = ? AND region = ? AND name = ?`,
    [scope.accountId, scope.region, name],
  );
  return row ? connectionOf(scope, row) : undefined;
}

export async function listConnections(db: SqlExecutor, scope: EventsScope): Promise<ConnectionRecord[]> {
  const rows = await db.all<ConnectionRow>(
    `SELECT ${connectionColumns} FROM events_connections WHERE account_id = ? AND region = ? ORDER BY name`,
    [scope.accountId, scope.region],
  );
  return rows.map((row) => connectionOf(scope, row));
}

/**
 * OAuth connections are AUTHORIZING until their first delivery fetches a token (then AUTHORIZED,
 * or DEAUTHORIZED with the endpoint's reason); the others are authorised at once.
 */
export const initialState = (type: AuthorizationType) =>
  type === "OAUTH_CLIENT_CREDENTIALS" ? "AUTHORIZING" : "AUTHORIZED";

export async function insertConnection(
  db: SqlExecutor,
  scope: EventsScope,
  connection: {
    name: string;
    description?: string;
    authorizationType: AuthorizationType;
    authParameters: Record<string, unknown>;
  },
  now: number,
): Promise<ConnectionRecord> {
  await db.run(
    `INSERT INTO events_connections (account_id, region, name, resource_id, secret_id, description, authorization_type,
       auth_parameters, state, created_at, modified_at, authorized_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      scope.accountId,
      scope.region,
      connection.name,
      randomUUID(),
      `${randomUUID()}-${randomUUID().slice(0, 6)}`,
      connection.description ?? null,
      connection.authorizationType,
      JSON.stringify(connection.authParameters),
      initialState(connection.authorizationType),
      now,
      now,
      now,
    ],
  );
  return (await findConnection(db, scope, connection.name))!;
}

export async function saveConnection(
  db: SqlExecutor,
  scope: EventsScope,
  connection: ConnectionRecord,
  now: number,
): Promise<void> {
  await db.run(
    `UPDATE events_connections SET description = ?, authorization_type = ?, auth_parameters = ?, state = ?, state_reason = NULL,
       modified_at = ?, authorized_at = ? WHERE account_id = ? AND region = ? AND name = ?`,
    [
      connection.description ?? null,
      connection.authorizationType,
      JSON.stringify(connection.authParameters),
      connection.state,
      now,
      now,
      scope.accountId,
      scope.region,
      connection.name,
    ],
  );
}

/**
 * What authorising an OAuth connection came to: AUTHORIZED (at `now`) or DEAUTHORIZED with the
 * reason. Only the version that was authorised is marked: an update in between wins.
 */
export async function markAuthorization(
  db: SqlExecutor,
  scope: EventsScope,
  connection: ConnectionRecord,
  outcome: { readonly authorized: true } | { readonly authorized: false; readonly reason: string },
  now: number,
): Promise<void> {
  await db.run(
    `UPDATE events_connections SET state = ?, state_reason = ?, authorized_at = ?
       WHERE account_id = ? AND region = ? AND name = ? AND modified_at = ?`,
    [
      outcome.authorized ? "AUTHORIZED" : "DEAUTHORIZED",
      outcome.authorized ? null : outcome.reason,
      outcome.authorized ? now : connection.authorizedAt,
      scope.accountId,
      scope.region,
      connection.name,
      connection.modifiedAt,
    ],
  );
}

export async function deleteConnection(db: SqlExecutor, scope: EventsScope, name: string): Promise<void> {
  await db.run("DELETE FROM events_connections WHERE account_id = ? AND region = ? AND name = ?", [
    scope.accountId,
    scope.region,
    name,
  ]);
}

interface DestinationRow {
  name: string;
  resource_id: string;
  description: string | null;
  connection_arn: string;
  endpoint: string;
  http_method: string;
  rate_limit: number | string;
  created_at: number | string;
  modified_at: number | string;
}

const destinationColumns =
  "name, resource_id, description, connection_arn, endpoint, http_method, rate_limit, created_at, modified_at";

function destinationOf(scope: EventsScope, row: DestinationRow): ApiDestinationRecord {
  return {
    name: row.name,
    arn: `${arnBase(scope)}:api-destination/${row.name}/${row.resource_id}`,
    ...(row.description !== null ? { description: row.description } : {}),
    connectionArn: row.connection_arn,
    endpoint: row.endpoint,
    httpMethod: row.http_method,
    rateLimit: Number(row.rate_limit),
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}

export async function findApiDestination(
  db: SqlExecutor,
  scope: EventsScope,
  name: string,
): Promise<ApiDestinationRecord | undefined> {
  const row = await db.get<DestinationRow>(
    `SELECT ${destinationColumns} FROM events_api_destinations WHERE account_id = ? AND region = ? AND name = ?`,
    [scope.accountId, scope.region, name],
  );
  return row ? destinationOf(scope, row) : undefined;
}

export async function listApiDestinations(
  db: SqlExecutor,
  scope: EventsScope,
): Promise<ApiDestinationRecord[]> {
  const rows = await db.all<DestinationRow>(
    `SELECT ${destinationColumns} FROM events_api_destinations WHERE account_id = ? AND region = ? ORDER BY name`,
    [scope.accountId, scope.region],
  );
  return rows.map((row) => destinationOf(scope, row));
}

export async function insertApiDestination(
  db: SqlExecutor,
  scope: EventsScope,
  destination: Omit<ApiDestinationRecord, "arn" | "createdAt" | "modifiedAt">,
  now: number,
): Promise<ApiDestinationRecord> {
  await db.run(
    `INSERT INTO events_api_destinations (account_id, region, name, resource_id, description, connection_arn, endpoint,
       http_method, rate_limit, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      scope.accountId,
      scope.region,
      destination.name,
      randomUUID(),
      destination.description ?? null,
      destination.connectionArn,
      destination.endpoint,
      destination.httpMethod,
      destination.rateLimit,
      now,
      now,
    ],
  );
  return (await findApiDestination(db, scope, destination.name))!;
}

export async function saveApiDestination(
  db: SqlExecutor,
  scope: EventsScope,
  destination: ApiDestinationRecord,
  now: number,
): Promise<void> {
  await db.run(
    `UPDATE events_api_destinations SET description = ?, connection_arn = ?, endpoint = ?, http_method = ?, rate_limit = ?,
       modified_at = ? WHERE account_id = ? AND region = ? AND name = ?`,
    [
      destination.description ?? null,
      destination.connectionArn,
      destination.endpoint,
      destination.httpMethod,
      destination.rateLimit,
      now,
      scope.accountId,
      scope.region,
      destination.name,
    ],
  );
}

export async function deleteApiDestination(db: SqlExecutor, scope: EventsScope, name: string): Promise<void> {
  await db.run("DELETE FROM events_api_destinations WHERE account_id = ? AND region = ? AND name = ?", [
    scope.accountId,
    scope.region,
    name,
  ]);
}

/** The connection an ARN names (`connection/NAME/ID`), if it exists. */
export async function connectionByArn(
  db: SqlExecutor,
  scope: EventsScope,
  arn: string,
): Promise<ConnectionRecord | undefined> {
  const name = arn.split(":connection/")[1]?.split("/")[0];
  if (name === undefined) return undefined;
  const connection = await findConnection(db, scope, name);
  return connection?.arn === arn ? connection : undefined;
}
