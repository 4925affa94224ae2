/**
 * EventBridge's connections and API destinations, as operations of the API: Create, Describe,
 * Update, Delete and List of each, in AWS's words. Answers show a connection's auth parameters
 * without their secrets, as AWS does.
 */
import { AwsError, type Declared, type JsonOperation } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { page, scopeOf, seconds, str } from "./api-values.js";
import {
  type ApiDestinationRecord,
  type AuthorizationType,
  type ConnectionRecord,
  connectionByArn,
  deleteApiDestination,
  deleteConnection,
  findApiDestination,
  findConnection,
  initialState,
  insertApiDestination,
  insertConnection,
  listApiDestinations,
  listConnections,
  saveApiDestination,
  saveConnection,
} from "./connection-records.js";
import { eventsOperations as ops } from "./event-operations.js";

const connectionErrors = {
  notFound: (name: string) =>
    new AwsError(
      "ResourceNotFoundException",
      `Failed to describe the connection(s). Connection '${name}' does not exist.`,
    ),
  exists: (name: string) =>
    new AwsError("ResourceAlreadyExistsException", `Connection ${name} already exists.`),
  destinationNotFound: (name: string) =>
    new AwsError(
      "ResourceNotFoundException",
      `Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`,
    ),
  destinationExists: (name: string) =>
    new AwsError("ResourceAlreadyExistsException", `An api-destination '${name}' already exists.`),
  connectionMissing: (arn: string) =>
    new AwsError("ResourceNotFoundException", `Connection '${arn}' does not exist.`),
} as const;

type Parameters = Record<string, unknown>;

/** HTTP parameters without the values marked secret. */
function publicHttpParameters(parameters: unknown): Parameters | undefined {
  if (parameters === undefined || parameters === null || typeof parameters !== "object") return undefined;
  const out: Parameters = {};
  for (const [kind, list] of Object.entries(parameters as Parameters)) {
    out[kind] = Array.isArray(list)
      ? list.map((entry: { IsValueSecret?: boolean; Value?: string }) => {
          if (entry.IsValueSecret !== true) return entry;
          const { Value: _hidden, ...rest } = entry;
          return rest;
        })
      : list;
  }
  return out;
}

/** AuthParameters as DescribeConnection answers them: names and endpoints, no secrets. */
function publicAuthParameters(connection: ConnectionRecord): Parameters {
  const auth = connection.authParameters as {
    BasicAuthParameters?: { Username?: string };
    ApiKeyAuthParameters?: { ApiKeyName?: string };
    OAuthParameters?: {
      ClientParameters?: { ClientID?: string };
      AuthorizationEndpoint?: string;
      HttpMethod?: string;
      OAuthHttpParameters?: unknown;
    };
    InvocationHttpParameters?: unknown;
  };
  const out: Parameters = {};
  if (auth.BasicAuthParameters) out.BasicAuthParameters = { Username: auth.BasicAuthParameters.Username };
  if (auth.ApiKeyAuthParameters)
    out.ApiKeyAuthParameters = { ApiKeyName: auth.ApiKeyAuthParameters.ApiKeyName };
  if (auth.OAuthParameters) {
    const oauth = auth.OAuthParameters;
    out.OAuthParameters = {
      ...(oauth.AuthorizationEndpoint !== undefined
        ? { AuthorizationEndpoint: oauth.AuthorizationEndpoint }
        : {}),
      ClientParameters: { ClientID: oauth.ClientParameters?.ClientID },
      ...(oauth.HttpMethod !== undefined ? { HttpMethod: oauth.HttpMethod } : {}),
      ...(oauth.OAuthHttpParameters !== undefined
        ? { OAuthHttpParameters: publicHttpParameters(oauth.OAuthHttpParameters) }
        : {}),
    };
  }
  const invocation = publicHttpParameters(auth.InvocationHttpParameters);
  if (invocation !== undefined) out.InvocationHttpParameters = invocation;
  return out;
}

/** Update's parameters laid over the kept ones, member by member (a secret left out is kept). */
function merged(kept: Parameters, update: Parameters): Parameters {
  const out: Parameters = { ...kept };
  for (const [key, value] of Object.entries(update)) {
    const before = kept[key];
    out[key] =
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      before !== null &&
      typeof before === "object"
        ? merged(before as Parameters, value as Parameters)
        : value;
  }
  return out;
}

const stateTimes = (connection: ConnectionRecord) => ({
  ConnectionArn: connection.arn,
  ConnectionState: connection.state,
  CreationTime: seconds(connection.createdAt),
  LastModifiedTime: seconds(connection.modifiedAt),
  LastAuthorizedTime: seconds(connection.authorizedAt),
});

/** Create's and Update's answer: the destination's ARN, state and times. */
/** An API destination is active while its connection is authorised. */
const destinationState = (connection: ConnectionRecord | undefined) =>
  connection?.state === "AUTHORIZED" ? "ACTIVE" : "INACTIVE";

/** Create's and Update's answer: the destination's ARN, its state and its times. */
function destinationChange(destination: ApiDestinationRecord, connection: ConnectionRecord | undefined) {
  return {
    ApiDestinationArn: destination.arn,
    ApiDestinationState: destinationState(connection),
    CreationTime: seconds(destination.createdAt),
    LastModifiedTime: seconds(destination.modifiedAt),
  };
}

/** An API destination as Describe answers it (List's entries are the same without Description). */
function destinationEntry(
  destination: ApiDestinationRecord,
  connection: ConnectionRecord | undefined,
  withDescription: boolean,
) {
  return {
    ApiDestinationArn: destination.arn,
    Name: destination.name,
    ...(withDescription && destination.description !== undefined
      ? { Description: destination.description }
      : {}),
    ApiDestinationState: destinationState(connection),
    ConnectionArn: destination.connectionArn,
    InvocationEndpoint: destination.endpoint,
    HttpMethod: destination.httpMethod,
    InvocationRateLimitPerSecond: destination.rateLimit,
    CreationTime: seconds(destination.createdAt),
    LastModifiedTime: seconds(destination.modifiedAt),
  };
}

export function connectionOperations(store: Store): Record<string, Declared<JsonOperation>> {
  return {
    CreateConnection: {
      ...ops.CreateConnection,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.Name);
        const connection = await ctx.transaction(async (tx) => {
          if (await findConnection(tx, scope, name)) throw connectionErrors.exists(name);
          return insertConnection(
            tx,
            scope,
            {
              name,
              ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
              authorizationType: String(input.AuthorizationType) as AuthorizationType,
              authParameters: (input.AuthParameters ?? {}) as Parameters,
            },
            Date.now(),
          );
        });
        return {
          ConnectionArn: connection.arn,
          ConnectionState: connection.state,
          CreationTime: seconds(connection.createdAt),
          LastModifiedTime: seconds(connection.modifiedAt),
        };
      },
    },
    DescribeConnection: {
      ...ops.DescribeConnection,
      handler: async (input, ctx) => {
        const name = String(input.Name);
        const connection = await findConnection(store, scopeOf(ctx), name);
        if (!connection) throw connectionErrors.notFound(name);
        return {
          ...stateTimes(connection),
          ...(connection.stateReason !== undefined ? { StateReason: connection.stateReason } : {}),
          Name: connection.name,
          ...(connection.description !== undefined ? { Description: connection.description } : {}),
          AuthorizationType: connection.authorizationType,
          AuthParameters: publicAuthParameters(connection),
          SecretArn: connection.secretArn,
        };
      },
    },
    UpdateConnection: {
      ...ops.UpdateConnection,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.Name);
        const updated = await ctx.transaction(async (tx) => {
          const connection = await findConnection(tx, scope, name);
          if (!connection) throw connectionErrors.notFound(name);
          const type =
            (str(input.AuthorizationType) as AuthorizationType | undefined) ?? connection.authorizationType;
          const next: ConnectionRecord = {
            ...connection,
            ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
            authorizationType: type,
            authParameters: merged(connection.authParameters, (input.AuthParameters ?? {}) as Parameters),
            state: initialState(type),
          };
          const now = Date.now();
          await saveConnection(tx, scope, next, now);
          return { ...next, modifiedAt: now, authorizedAt: now };
        });
        return stateTimes(updated);
      },
    },
    DeleteConnection: {
      ...ops.DeleteConnection,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.Name);
        const connection = await ctx.transaction(async (tx) => {
          const found = await findConnection(tx, scope, name);
          if (!found) throw connectionErrors.notFound(name);
          await deleteConnection(tx, scope, name);
          return found;
        });
        return { ...stateTimes(connection), ConnectionState: "DELETING" };
      },
    },
    ListConnections: {
      ...ops.ListConnections,
      handler: async (input, ctx) => {
        const prefix = str(input.NamePrefix) ?? "";
        const state = str(input.ConnectionState);
        const connections = (await listConnections(store, scopeOf(ctx))).filter(
          (connection) =>
            connection.name.startsWith(prefix) && (state === undefined || connection.state === state),
        );
        const { items, nextToken } = page(connections, input);
        return {
          Connections: items.map((connection) => ({
            ...stateTimes(connection),
            Name: connection.name,
            AuthorizationType: connection.authorizationType,
          })),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
      },
    },
    CreateApiDestination: {
      ...ops.CreateApiDestination,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.Name);
        const { destination, connection } = await ctx.transaction(async (tx) => {
          if (await findApiDestination(tx, scope, name)) throw connectionErrors.destinationExists(name);
          const connectionArn = String(input.ConnectionArn);
          const connection = await connectionByArn(tx, scope, connectionArn);
          if (!connection) throw connectionErrors.connectionMissing(connectionArn);
          const destination = await insertApiDestination(
            tx,
            scope,
            {
              name,
              ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
              connectionArn,
              endpoint: String(input.InvocationEndpoint),
              httpMethod: String(input.HttpMethod),
              rateLimit:
                typeof input.InvocationRateLimitPerSecond === "number"
                  ? input.InvocationRateLimitPerSecond
                  : 300,
            },
            Date.now(),
          );
          return { destination, connection };
        });
        return destinationChange(destination, connection);
      },
    },
    DescribeApiDestination: {
      ...ops.DescribeApiDestination,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.Name);
        const destination = await findApiDestination(store, scope, name);
        if (!destination) throw connectionErrors.destinationNotFound(name);
        return destinationEntry(
          destination,
          await connectionByArn(store, scope, destination.connectionArn),
          true,
        );
      },
    },
    UpdateApiDestination: {
      ...ops.UpdateApiDestination,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.Name);
        const { destination, connection } = await ctx.transaction(async (tx) => {
          const found = await findApiDestination(tx, scope, name);
          if (!found) throw connectionErrors.destinationNotFound(name);
          const next = {
            ...found,
            ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
            ...(str(input.ConnectionArn) !== undefined ? { connectionArn: str(input.ConnectionArn)! } : {}),
            ...(str(input.InvocationEndpoint) !== undefined
              ? { endpoint: str(input.InvocationEndpoint)! }
              : {}),
            ...(str(input.HttpMethod) !== undefined ? { httpMethod: str(input.HttpMethod)! } : {}),
            ...(typeof input.InvocationRateLimitPerSecond === "number"
              ? { rateLimit: input.InvocationRateLimitPerSecond }
              : {}),
          };
          const connection = await connectionByArn(tx, scope, next.connectionArn);
          if (!connection) throw connectionErrors.connectionMissing(next.connectionArn);
          const now = Date.now();
          await saveApiDestination(tx, scope, next, now);
          return { destination: { ...next, modifiedAt: now }, connection };
        });
        return destinationChange(destination, connection);
      },
    },
    DeleteApiDestination: {
      ...ops.DeleteApiDestination,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.Name);
        await ctx.transaction(async (tx) => {
          if (!(await findApiDestination(tx, scope, name))) throw connectionErrors.destinationNotFound(name);
          await deleteApiDestination(tx, scope, name);
        });
        return {};
      },
    },
    ListApiDestinations: {
      ...ops.ListApiDestinations,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const prefix = str(input.NamePrefix) ?? "";
        const connectionArn = str(input.ConnectionArn);
        const destinations = (await listApiDestinations(store, scope)).filter(
          (destination) =>
            destination.name.startsWith(prefix) &&
            (connectionArn === undefined || destination.connectionArn === connectionArn),
        );
        const { items, nextToken } = page(destinations, input);
        const entries = [];
        for (const destination of items) {
          entries.push(
            destinationEntry(
              destination,
              await connectionByArn(store, scope, destination.connectionArn),
              false,
            ),
          );
        }
        return { ApiDestinations: entries, ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
  };
}
