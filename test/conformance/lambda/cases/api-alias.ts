// test_lambda_api.py::TestLambdaAlias: aliases' lifecycle, routing configurations and their errors,
// and alias names. Their recordings are held back here (Jeff is checked against them elsewhere).
import {
  CreateAliasCommand,
  type CreateAliasCommandInput,
  type CreateFunctionCommandInput,
  DeleteAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  ListAliasesCommand,
  PublishVersionCommand,
  paginateListAliases,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Answer, echoSource, type Replay, shortUid, zip } from "../replay.js";

/** What the tests give `create_lambda_function_aws`: the echo handler (as handler.py), staging env. */
function createInput(r: Replay, name: string, more: Partial<CreateFunctionCommandInput> = {}) {
  return {
    FunctionName: name,
    Handler: "index.handler",
    Code: { ZipFile: zip({ "handler.py": echoSource("python3.12") }) },
    PackageType: "Zip",
    Role: r.role,
    Runtime: "python3.12",
    Environment: { Variables: { testenv: "staging" } },
    ...more,
  } satisfies CreateFunctionCommandInput;
}

/** `SortingTransformer("Aliases", key=Name)`. */
function aliasesByName(answer: Answer): Answer {
  const aliases = answer.Aliases as Array<{ Name: string }> | undefined;
  if (!aliases) return answer;
  return {
    ...answer,
    Aliases: [...aliases].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)),
  };
}

/** Versions 1 (testenv=staging) and 2 (testenv=prod) of `name`, as the tests publish them. */
async function twoVersions(r: Replay, name: string) {
  r.match("publish_v1", await r.ok(r.lambda.send(new PublishVersionCommand({ FunctionName: name }))));
  await r.lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: name,
      Environment: { Variables: { testenv: "prod" } },
    }),
  );
  await r.waitUpdated(name);
  r.match("publish_v2", await r.ok(r.lambda.send(new PublishVersionCommand({ FunctionName: name }))));
}

async function aliasLifecycle(r: Replay) {
  const name = `alias-fn-${shortUid()}`;
  const lambda = r.lambda;
  r.match("create_response", await r.createFunctionAws(createInput(r, name)));
  await twoVersions(r, name);
  const create = async (label: string, input: Omit<CreateAliasCommandInput, "FunctionName">) => {
    const created = await r.ok(lambda.send(new CreateAliasCommand({ FunctionName: name, ...input })));
    r.match(label, created);
    return created;
  };
  const getAlias = async (label: string, Name: string) =>
    r.match(label, await r.ok(lambda.send(new GetAliasCommand({ FunctionName: name, Name }))));
  const alias11 = await create("create_alias_1_1", {
    Name: "aliasname1_1",
    FunctionVersion: "1",
    Description: "custom-alias",
    RoutingConfig: { AdditionalVersionWeights: { "2": 0.2 } },
  });
  await getAlias("get_alias_1_1", "aliasname1_1");
  r.match(
    "get_function_alias_1_1",
    await r.ok(lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "aliasname1_1" }))),
  );
  const aliasArn = alias11.AliasArn as string;
  r.match(
    "get_function_byarn_alias_1_1",
    await r.ok(lambda.send(new GetFunctionCommand({ FunctionName: aliasArn }))),
  );
  r.match(
    "get_function_alias_notfound_exc",
    await r.fails(
      lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "aliasdoesnotexist" })),
    ),
  );
  r.match(
    "get_function_alias_byarn_notfound_exc",
    await r.fails(
      lambda.send(
        new GetFunctionCommand({ FunctionName: aliasArn.replace("aliasname1_1", "aliasdoesnotexist") }),
      ),
    ),
  );
  await create("create_alias_1_2", {
    Name: "aliasname1_2",
    FunctionVersion: "1",
    Description: "custom-alias",
  });
  await getAlias("get_alias_1_2", "aliasname1_2");
  await create("create_alias_1_3", { Name: "aliasname1_3", FunctionVersion: "1" });
  await getAlias("get_alias_1_3", "aliasname1_3");
  await create("create_alias_2", { Name: "aliasname2", FunctionVersion: "2", Description: "custom-alias" });
  await getAlias("get_alias_2", "aliasname2");
  // The paginator's build_full_result: every page's Aliases, one list, and nothing else.
  const all: unknown[] = [];
  for await (const page of paginateListAliases({ client: lambda, pageSize: 1 }, { FunctionName: name })) {
    all.push(...(page.Aliases ?? []));
  }
  r.match("list_aliases_for_fnname", aliasesByName({ Aliases: all }));
  const list = async (label: string, FunctionVersion?: string) =>
    r.match(
      label,
      aliasesByName(await r.ok(lambda.send(new ListAliasesCommand({ FunctionName: name, FunctionVersion })))),
    );
  r.match(
    "update_alias_1_1",
    await r.ok(
      lambda.send(
        new UpdateAliasCommand({
          FunctionName: name,
          Name: "aliasname1_1",
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      ),
    ),
  );
  await getAlias("get_alias_1_1_after_update", "aliasname1_1");
  await list("list_aliases_for_fnname_after_update");
  r.match(
    "update_alias_1_2",
    await r.ok(lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: "aliasname1_2" }))),
  );
  await getAlias("get_alias_1_2_after_update", "aliasname1_2");
  await list("list_aliases_for_fnname_after_update_2");
  await list("list_aliases_for_version", "1");
  r.match(
    "delete_alias_response",
    await r.ok(lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "aliasname1_1" }))),
  );
  await list("list_aliases_for_fnname_afterdelete");
}

async function routingConfigs(r: Replay) {
  const name = `alias-fn-${shortUid()}`;
  const lambda = r.lambda;
  r.match("create_response", await r.createFunctionAws(createInput(r, name, { Publish: true })));
  await twoVersions(r, name);
  const refused = async (
    label: string,
    FunctionVersion: string,
    weights: Record<string, number> | undefined,
    Name = "custom",
    FunctionName = name,
  ) =>
    r.match(
      label,
      await r.fails(
        lambda.send(
          new CreateAliasCommand({
            FunctionName,
            Name,
            FunctionVersion,
            ...(weights ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
          }),
        ),
      ),
    );
  await refused("routing_config_exc_toomany", "1", { "1": 0.8, "2": 0.2 });
  await refused("routing_config_exc_toohigh", "1", { "2": 2 });
  await refused("routing_config_exc_subzero", "1", { "2": -1 });
  await refused("routing_config_exc_sameversion", "1", { "1": 0.5 });
  await refused("target_version_doesnotexist", "10", { "2": 0.5 });
  await refused("routing_config_exc_version_doesnotexist", "1", { "10": 0.5 });
  await refused("target_version_exc_version_latest", "$LATEST", { "1": 0.5 });
  await refused("routing_config_exc_version_latest", "1", { $LATEST: 0.5 });
  r.match(
    "create-alias-latest",
    await r.ok(
      lambda.send(
        new CreateAliasCommand({ FunctionName: name, Name: "custom-latest", FunctionVersion: "$LATEST" }),
      ),
    ),
  );
  await refused("routing_config_exc_fn_doesnotexist", "1", { "2": 0.5 }, "custom", `${name}-unknown`);
  r.match(
    "create_alias_empty_routingconfig",
    await r.ok(
      lambda.send(
        new CreateAliasCommand({
          FunctionName: name,
          Name: "custom-empty-routingconfig",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      ),
    ),
  );
  r.match(
    "create_alias_response",
    await r.ok(
      lambda.send(
        new CreateAliasCommand({
          FunctionName: name,
          Name: "custom",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } },
        }),
      ),
    ),
  );
  await refused("routing_config_exc_already_exist", "1", { "2": 0.5 });
  r.match(
    "alias_does_not_exist_esc",
    await r.fails(lambda.send(new GetAliasCommand({ FunctionName: name, Name: "non-existent" }))),
  );
}

export const cases: ReplayCase[] = [
  replayed("test_lambda_api", "TestLambdaAlias::test_alias_lifecycle", aliasLifecycle),
  replayed("test_lambda_api", "TestLambdaAlias::test_non_existent_alias_deletion", async (r) => {
    const name = `alias-fn-${shortUid()}`;
    r.match("create_response", await r.createFunctionAws(createInput(r, name)));
    r.match(
      "delete_alias_response",
      await r.ok(r.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "non-existent" }))),
    );
  }),
  replayed("test_lambda_api", "TestLambdaAlias::test_non_existent_alias_update", async (r) => {
    const name = `alias-fn-${shortUid()}`;
    r.match("create_response", await r.createFunctionAws(createInput(r, name)));
    r.match(
      "update_alias_response",
      await r.fails(r.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: "non-existent" }))),
    );
  }),
  replayed("test_lambda_api", "TestLambdaAlias::test_notfound_and_invalid_routingconfigs", routingConfigs),
  replayed("test_lambda_api", "TestLambdaAlias::test_alias_naming", async (r) => {
    const name = `alias-fn-${shortUid()}`;
    r.match("create_response", await r.createFunctionAws(createInput(r, name)));
    r.match("publish_v1", await r.ok(r.lambda.send(new PublishVersionCommand({ FunctionName: name }))));
    const dated = "2024-01-02";
    const alias = { FunctionName: name, FunctionVersion: "1", Description: "custom-alias" };
    r.match(
      "create_alias_date",
      await r.ok(r.lambda.send(new CreateAliasCommand({ ...alias, Name: dated }))),
    );
    r.match(
      "get_alias_date",
      await r.ok(r.lambda.send(new GetAliasCommand({ FunctionName: name, Name: dated }))),
    );
    await r.lambda.send(new InvokeCommand({ FunctionName: `${name}:${dated}` }));
    r.match(
      "create_alias_number_exception",
      await r.fails(r.lambda.send(new CreateAliasCommand({ ...alias, Name: "2024" }))),
    );
  }),
];
