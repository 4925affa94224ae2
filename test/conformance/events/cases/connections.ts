// test_api_destinations_and_connection.py, and test_events.py's connection validation: connections
// (how an HTTP target authorizes) and API destinations (the HTTP targets). The tests that read a
// connection's secret from Secrets Manager are out of scope (scope.ts); test_delete_connection's
// look at the secret, which it matches nothing from, is left out.
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";

const file = "test_api_destinations_and_connection" as const;

const API_DESTINATION_AUTHS = [
  { type: "BASIC", key: "BasicAuthParameters", parameters: { Username: "user", Password: "pass" } },
  {
    type: "API_KEY",
    key: "ApiKeyAuthParameters",
    parameters: { ApiKeyName: "Api", ApiKeyValue: "apikey_secret" },
  },
  {
    type: "OAUTH_CLIENT_CREDENTIALS",
    key: "OAuthParameters",
    parameters: {
      AuthorizationEndpoint: "replace_this",
      ClientParameters: { ClientID: "id", ClientSecret: "password" },
      HttpMethod: "put",
      OAuthHttpParameters: {
        BodyParameters: [{ Key: "oauthbody", Value: "value1" }],
        HeaderParameters: [{ Key: "oauthheader", Value: "value2" }],
        QueryStringParameters: [{ Key: "oauthquery", Value: "value3" }],
      },
    },
  },
] as const;

const API_DESTINATION_AUTH_PARAMS = [
  {
    AuthorizationType: "BASIC",
    AuthParameters: { BasicAuthParameters: { Username: "user", Password: "pass" } },
  },
  {
    AuthorizationType: "API_KEY",
    AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "ApiKey", ApiKeyValue: "secret" } },
  },
  {
    AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
    AuthParameters: {
      OAuthParameters: {
        AuthorizationEndpoint: "https://example.com/oauth",
        ClientParameters: { ClientID: "client_id", ClientSecret: "client_secret" },
        HttpMethod: "POST",
      },
    },
  },
] as const;

/** The fixtures `connection_name`, `create_connection` and `connection_snapshot`. */
function connectionFixture(r: Replay) {
  const name = `test-connection-${shortUid()}`;
  r.regex(name, "<connection-name>");
  r.afterwards(() => r.call("delete_connection", { Name: name }));
  return {
    name,
    create: (AuthorizationType: string, AuthParameters: object) =>
      r.send("create_connection", { Name: name, AuthorizationType, AuthParameters }),
  };
}

/** The fixtures `destination_name` and `api_destination_snapshot`. */
function destinationFixture(r: Replay) {
  const name = `test-destination-${shortUid()}`;
  r.regex(name, "<destination-name>");
  r.keyValue("ApiDestinationArn", "api-destination-arn");
  r.keyValue("ConnectionArn", "connection-arn");
  r.afterwards(() => r.call("delete_api_destination", { Name: name }));
  return name;
}

export const cases: readonly ReplayCase[] = [
  ...[0, 1, 2].map((i) =>
    replayed(file, `TestEventBridgeApiDestinations::test_api_destinations[auth${i}]`, async (r) => {
      const auth = API_DESTINATION_AUTHS[i]!;
      const destination = destinationFixture(r);
      const connection = connectionFixture(r);
      const connectionArn = (await connection.create(auth.type, { [auth.key]: auth.parameters }))
        .ConnectionArn as string;
      r.match(
        "create-api-destination",
        await r.send("create_api_destination", {
          Name: destination,
          ConnectionArn: connectionArn,
          HttpMethod: "POST",
          InvocationEndpoint: "https://example.com/api",
          Description: "Test API destination",
        }),
      );
      r.match("describe-api-destination", await r.send("describe_api_destination", { Name: destination }));
      r.match("list-api-destinations", await r.send("list_api_destinations", { NamePrefix: destination }));
      r.match(
        "update-api-destination",
        await r.send("update_api_destination", {
          Name: destination,
          ConnectionArn: connectionArn,
          HttpMethod: "PUT",
          InvocationEndpoint: "https://example.com/api/v2",
          Description: "Updated API destination",
        }),
      );
      r.match(
        "describe-updated-api-destination",
        await r.send("describe_api_destination", { Name: destination }),
      );
      r.match("delete-api-destination", await r.send("delete_api_destination", { Name: destination }));
      r.match(
        "describe-api-destination-not-found-error",
        await r.refuse("describe_api_destination", { Name: destination }),
      );
    }),
  ),
  replayed(
    file,
    "TestEventBridgeApiDestinations::test_create_api_destination_invalid_parameters",
    async (r) => {
      const destination = destinationFixture(r);
      r.match(
        "create-api-destination-invalid-parameters-error",
        await r.refuse("create_api_destination", {
          Name: destination,
          ConnectionArn: "invalid-connection-arn",
          HttpMethod: "INVALID_METHOD",
          InvocationEndpoint: "invalid-endpoint",
        }),
      );
    },
  ),
  replayed(file, "TestEventBridgeApiDestinations::test_create_api_destination_name_validation", async (r) => {
    destinationFixture(r);
    const connection = connectionFixture(r);
    const auth = API_DESTINATION_AUTHS[0];
    const connectionArn = (await connection.create(auth.type, { [auth.key]: auth.parameters }))
      .ConnectionArn as string;
    r.match(
      "create-api-destination-invalid-name-error",
      await r.refuse("create_api_destination", {
        Name: "Invalid Name With Spaces!",
        ConnectionArn: connectionArn,
        HttpMethod: "POST",
        InvocationEndpoint: "https://example.com/api",
      }),
    );
  }),
  replayed(file, "TestEventBridgeConnections::test_create_connection", async (r) => {
    const connection = connectionFixture(r);
    r.match(
      "create-connection",
      await connection.create("API_KEY", {
        ApiKeyAuthParameters: { ApiKeyName: "ApiKey", ApiKeyValue: "secret" },
        InvocationHttpParameters: {},
      }),
    );
    r.match("describe-connection", await r.send("describe_connection", { Name: connection.name }));
  }),
  ...API_DESTINATION_AUTH_PARAMS.map((auth, i) =>
    replayed(
      file,
      `TestEventBridgeConnections::test_create_connection_with_auth[auth_params${i}]`,
      async (r) => {
        const connection = connectionFixture(r);
        r.match(
          "create-connection-auth",
          await connection.create(auth.AuthorizationType, auth.AuthParameters),
        );
        r.match("describe-connection-auth", await r.send("describe_connection", { Name: connection.name }));
      },
    ),
  ),
  replayed(file, "TestEventBridgeConnections::test_list_connections", async (r) => {
    const connection = connectionFixture(r);
    await connection.create("BASIC", {
      BasicAuthParameters: { Username: "user", Password: "pass" },
      InvocationHttpParameters: {},
    });
    r.match("list-connections", await r.send("list_connections", { NamePrefix: connection.name }));
  }),
  replayed(file, "TestEventBridgeConnections::test_delete_connection", async (r) => {
    const connection = connectionFixture(r);
    r.match(
      "create-connection-response",
      await connection.create("API_KEY", {
        ApiKeyAuthParameters: { ApiKeyName: "ApiKey", ApiKeyValue: "secret" },
        InvocationHttpParameters: {},
      }),
    );
    // The test looks the connection's secret up in Secrets Manager here, matching nothing of it.
    r.match("delete-connection", await r.send("delete_connection", { Name: connection.name }));
    r.match("describe-deleted-connection", await r.refuse("describe_connection", { Name: connection.name }));
  }),
  replayed(file, "TestEventBridgeConnections::test_create_connection_invalid_parameters", async (r) => {
    const connection = connectionFixture(r);
    r.match(
      "create-connection-invalid-auth-error",
      await r.refuse("create_connection", {
        Name: connection.name,
        AuthorizationType: "INVALID_AUTH_TYPE",
        AuthParameters: {},
      }),
    );
  }),
  replayed(file, "TestEventBridgeConnections::test_create_connection_name_validation", async (r) => {
    r.match(
      "create-connection-invalid-name-error",
      await r.refuse("create_connection", {
        Name: "Invalid Name With Spaces!",
        AuthorizationType: "API_KEY",
        AuthParameters: {
          ApiKeyAuthParameters: { ApiKeyName: "ApiKey", ApiKeyValue: "secret" },
          InvocationHttpParameters: {},
        },
      }),
    );
  }),
  replayed("test_events", "TestEvents::test_create_connection_validations", async (r) => {
    r.match(
      "create_connection_exc",
      await r.refuse("create_connection", {
        Name: "This should fail with two errors 123467890123412341234123412341234",
        AuthorizationType: "INVALID",
        AuthParameters: { BasicAuthParameters: { Username: "user", Password: "pass" } },
      }),
    );
  }),
];
