// test_lambda_api.py::TestLambdaPermissions: resource-based policies (AddPermission, GetPolicy,
// RemovePermission) on functions, versions and aliases.
import {
  AddPermissionCommand,
  type AddPermissionCommandInput,
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  PublishVersionCommand,
  RemovePermissionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";

const invoke = "lambda:InvokeFunction";

/** `arns.s3_bucket_arn("test-bucket", region=…)`: S3 bucket ARNs name no region. */
const bucketArn = "arn:aws:s3:::test-bucket";

function add(r: Replay, input: Omit<AddPermissionCommandInput, "Action"> & { Action?: string }) {
  return r.lambda.send(new AddPermissionCommand({ Action: invoke, ...input }));
}

async function echoFunction(r: Replay, prefix = "lambda_func", runtime = "python3.12"): Promise<string> {
  const name = `${prefix}-${shortUid()}`;
  await r.createFunction({ funcName: name, Runtime: runtime as "python3.12" });
  return name;
}

async function permissionExceptions(r: Replay) {
  const name = await echoFunction(r);
  r.regex(name, "<function-name>");
  const s3 = { StatementId: "s3", Principal: "s3.amazonaws.com", SourceArn: bucketArn };
  const expect = async (label: string, input: Parameters<typeof add>[1]) =>
    r.match(label, await r.fails(add(r, input)));
  await expect("add_permission_invalid_statement_id", {
    FunctionName: name,
    StatementId: "example.com",
    Principal: "s3.amazonaws.com",
  });
  await expect("add_permission_fn_qualifier_mismatch", {
    FunctionName: `${name}:alias-not-42`,
    ...s3,
    Qualifier: "42",
  });
  await expect("add_permission_fn_qualifier_latest", {
    FunctionName: `${name}:$LATEST`,
    ...s3,
    Qualifier: "$LATEST",
  });
  await expect("add_permission_principal_invalid", {
    FunctionName: name,
    StatementId: "lambda",
    Principal: "invalid.nonaws.com",
    SourceAccount: r.accountId,
  });
  r.match(
    "get_policy_fn_doesnotexist",
    await r.fails(r.lambda.send(new GetPolicyCommand({ FunctionName: "doesnotexist" }))),
  );
  r.match(
    "get_policy_fn_version_doesnotexist",
    await r.fails(r.lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: "77" }))),
  );
  await expect("add_permission_fn_doesnotexist", { FunctionName: "doesnotexist", ...s3 });
  r.match(
    "remove_permission_policy_doesnotexist",
    await r.fails(r.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "s3" }))),
  );
  await expect("add_permission_fn_alias_doesnotexist", { FunctionName: `${name}:alias-doesnotexist`, ...s3 });
  await expect("add_permission_fn_version_doesnotexist", { FunctionName: name, ...s3, Qualifier: "42" });
  await expect("add_permission_fn_qualifier_invalid", {
    FunctionName: name,
    ...s3,
    Qualifier: "invalid-qualifier-with-?-char",
  });
  await expect("add_permission_fn_qualifier_valid_doesnotexist", {
    FunctionName: name,
    ...s3,
    Qualifier: "valid-with-$-but-doesnotexist",
  });
  await r.ok(add(r, { FunctionName: name, ...s3 }));
  await expect("add_permission_conflicting_statement_id", { FunctionName: name, ...s3 });
  r.match(
    "remove_permission_fn_doesnotexist",
    await r.fails(
      r.lambda.send(new RemovePermissionCommand({ FunctionName: "doesnotexist", StatementId: "s3" })),
    ),
  );
  r.match(
    "remove_permission_fn_alias_doesnotexist",
    await r.fails(
      r.lambda.send(
        new RemovePermissionCommand({
          FunctionName: name,
          StatementId: "s3",
          Qualifier: "alias-doesnotexist",
        }),
      ),
    ),
  );
}

const getPolicy = (r: Replay, FunctionName: string, Qualifier?: string) =>
  r.ok(r.lambda.send(new GetPolicyCommand({ FunctionName, Qualifier })));

async function permissionFnVersioning(r: Replay) {
  const name = await echoFunction(r);
  const s3 = { StatementId: "s3", Principal: "s3.amazonaws.com", SourceArn: bucketArn };
  r.match("add_permission", await r.ok(add(r, { FunctionName: name, ...s3 })));
  r.match("get_policy", await getPolicy(r, name));
  const published = await r.ok(r.lambda.send(new PublishVersionCommand({ FunctionName: name })));
  r.match("publish_version_result", published);
  const version = published.Version as string;
  await r.waitActive(name, version);
  r.match(
    "get_function_result_after_publishing",
    await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: name }))),
  );
  r.match("get_policy_after_publishing_latest", await getPolicy(r, name));
  r.match(
    "get_policy_after_publishing_new_version",
    await r.fails(r.lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: version }))),
  );
  await r.ok(add(r, { FunctionName: `${name}:${version}`, ...s3, Qualifier: version }));
  r.match("get_policy_version", await getPolicy(r, name, version));
  const aliasName = "permission-alias";
  const alias = await r.ok(
    r.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: aliasName, FunctionVersion: version })),
  );
  r.match("create_alias_response", alias);
  r.match(
    "get_alias",
    await r.ok(r.lambda.send(new GetAliasCommand({ FunctionName: name, Name: aliasName }))),
  );
  r.match(
    "add_permission_alias_revision_exception",
    await r.fails(add(r, { FunctionName: name, ...s3, Qualifier: aliasName, RevisionId: "wrong" })),
  );
  await r.ok(
    add(r, {
      FunctionName: `${name}:${aliasName}`,
      ...s3,
      Qualifier: aliasName,
      RevisionId: alias.RevisionId as string,
    }),
  );
  r.match("get_policy_alias", await getPolicy(r, name, aliasName));
  const latest = await getPolicy(r, name);
  r.match("get_policy_after_adding_to_new_version", latest);
  await r.ok(
    add(r, { FunctionName: name, ...s3, StatementId: "s3_2", RevisionId: latest.RevisionId as string }),
  );
  r.match("get_policy_after_adding_2", await getPolicy(r, name));
}

export const cases: ReplayCase[] = [
  replayed("test_lambda_api", "TestLambdaPermissions::test_permission_exceptions", permissionExceptions),
  replayed("test_lambda_api", "TestLambdaPermissions::test_add_lambda_permission_aws", async (r) => {
    const name = `lambda_func-${shortUid()}`;
    r.match("create_lambda", await r.createFunction({ funcName: name }));
    r.match(
      "add_permission",
      await r.ok(
        add(r, {
          FunctionName: name,
          StatementId: "s3",
          Principal: "s3.amazonaws.com",
          SourceArn: bucketArn,
        }),
      ),
    );
    r.match("get_policy", await getPolicy(r, name));
  }),
  replayed(
    "test_lambda_api",
    "TestLambdaPermissions::test_lambda_permission_fn_versioning",
    permissionFnVersioning,
  ),
  // A recording of an older form of the test above (test_lambda_permission_versioning, python3.9):
  // the same calls, fewer of them recorded. It was made when publishing a version changed the
  // policy's RevisionId with the function's; AWS no longer does (the test above).
  replayed("test_lambda_api", "TestLambdaPermissions::test_lambda_permission_versioning", async (r) => {
    const name = await echoFunction(r, "lambda_func", "python3.9");
    const s3 = { StatementId: "s3", Principal: "s3.amazonaws.com", SourceArn: bucketArn };
    r.match("add_permission", await r.ok(add(r, { FunctionName: name, ...s3 })));
    r.match("get_policy", await getPolicy(r, name));
    const version = (await r.lambda.send(new PublishVersionCommand({ FunctionName: name }))).Version!;
    r.match("get_policy_after_publishing_latest", await getPolicy(r, name));
    r.match(
      "get_policy_after_publishing_new_version",
      await r.fails(r.lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: version }))),
    );
    await r.ok(add(r, { FunctionName: `${name}:${version}`, ...s3, Qualifier: version }));
    const latest = await getPolicy(r, name);
    r.match("get_policy_after_adding_to_new_version", latest);
    await r.ok(
      add(r, { FunctionName: name, ...s3, StatementId: "s3_2", RevisionId: latest.RevisionId as string }),
    );
    r.match("get_policy_after_adding_2", await getPolicy(r, name));
  }),
  replayed("test_lambda_api", "TestLambdaPermissions::test_add_lambda_permission_fields", async (r) => {
    const name = await echoFunction(r);
    const account = r.accountId;
    const expect = async (label: string, input: Omit<Parameters<typeof add>[1], "FunctionName">) =>
      r.match(label, await r.ok(add(r, { ...input, FunctionName: name })));
    await expect("add_permission_principal_wildcard", {
      StatementId: "wilcard",
      Principal: "*",
      SourceAccount: account,
    });
    await expect("add_permission_principal_service", {
      StatementId: "lambda",
      Principal: "lambda.amazonaws.com",
      SourceAccount: account,
    });
    await expect("add_permission_principal_account", { StatementId: "account-id", Principal: account });
    const userArn = (await r.client(STSClient).send(new GetCallerIdentityCommand({}))).Arn!;
    await expect("add_permission_principal_arn", {
      StatementId: "user-arn",
      Principal: userArn,
      SourceAccount: account,
    });
    await expect("add_permission_optional_fields", {
      StatementId: "urlPermission",
      Action: "lambda:InvokeFunctionUrl",
      Principal: "*",
      SourceArn: bucketArn,
      SourceAccount: account,
      PrincipalOrgID: "o-1234567890",
      FunctionUrlAuthType: "NONE",
    });
    await expect("add_permission_alexa_skill", {
      StatementId: "alexaSkill",
      Principal: "*",
      EventSourceToken: "amzn1.ask.skill.xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    });
  }),
  // A recording of an older test whose calls now open test_add_lambda_permission_fields; it
  // recorded nothing, so it passes when both calls succeed.
  replayed(
    "test_lambda_api",
    "TestLambdaPermissions::test_add_lambda_permission_optional_fields",
    async (r) => {
      const name = await echoFunction(r, "lambda_func", "python3.9");
      await r.ok(
        add(r, {
          FunctionName: name,
          StatementId: "urlPermission",
          Action: "lambda:InvokeFunctionUrl",
          Principal: "*",
          SourceArn: bucketArn,
          SourceAccount: r.accountId,
          PrincipalOrgID: "o-1234567890",
          FunctionUrlAuthType: "NONE",
        }),
      );
      await r.ok(
        add(r, {
          FunctionName: name,
          StatementId: "alexaSkill",
          Principal: "*",
          EventSourceToken: "amzn1.ask.skill.xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        }),
      );
    },
  ),
  replayed("test_lambda_api", "TestLambdaPermissions::test_remove_multi_permissions", async (r) => {
    const name = await echoFunction(r);
    r.match(
      "add_permission_1",
      await r.ok(add(r, { FunctionName: name, StatementId: "s3", Principal: "s3.amazonaws.com" })),
    );
    r.match(
      "add_permission_2",
      await r.ok(
        add(r, {
          FunctionName: name,
          StatementId: "sqs",
          Principal: "sqs.amazonaws.com",
          SourceArn: bucketArn,
        }),
      ),
    );
    r.match("policy_after_2_add", await getPolicy(r, name));
    r.match(
      "remove_permission_exception_nonexisting_sid",
      await r.fails(
        r.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "non-existent" })),
      ),
    );
    await r.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "sqs" }));
    r.match("policy_after_removal", await getPolicy(r, name));
    const attempt = await getPolicy(r, name);
    r.match("policy_after_removal_attempt", attempt);
    await r.lambda.send(
      new RemovePermissionCommand({
        FunctionName: name,
        StatementId: "s3",
        RevisionId: attempt.RevisionId as string,
      }),
    );
    r.match(
      "get_policy_exception_removed_all",
      await r.fails(r.lambda.send(new GetPolicyCommand({ FunctionName: name }))),
    );
  }),
  replayed("test_lambda_api", "TestLambdaPermissions::test_create_multiple_lambda_permissions", async (r) => {
    const name = await echoFunction(r, "test-function");
    r.match(
      "add_permission_response_1",
      await r.ok(add(r, { FunctionName: name, StatementId: "logs", Principal: "logs.amazonaws.com" })),
    );
    r.match(
      "add_permission_response_2",
      await r.ok(add(r, { FunctionName: name, StatementId: "kinesis", Principal: "kinesis.amazonaws.com" })),
    );
    r.match("policy_after_2_add", await getPolicy(r, name));
  }),
  // A recording of a test since removed (it was marked work in progress); its calls as the test
  // made them then, with python3.9 and python3.8 as it used. It recorded a function's policy
  // RevisionId as the function's own, which AWS no longer does.
  replayed("test_lambda_api", "TestLambdaPermissions::test_lambda_permission_revisions", async (r) => {
    const name = await echoFunction(r, "lambda_func", "python3.9");
    r.regex(name, "<function-name>");
    const s3 = { Principal: "s3.amazonaws.com", SourceArn: bucketArn };
    const getFunction = (Qualifier?: string) =>
      r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier })));
    const fn1 = await getFunction();
    await r.ok(
      add(r, {
        FunctionName: name,
        StatementId: "s3",
        ...s3,
        RevisionId: (fn1.Configuration as { RevisionId: string }).RevisionId,
      }),
    );
    const setRuntime = async (Runtime: string) => {
      await r.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, Runtime: Runtime as "python3.9" }),
      );
      await r.waitUpdated(name);
    };
    await setRuntime("python3.8");
    r.match(
      "add_permission_revision_id_doesnotmatch",
      await r.fails(
        add(r, { FunctionName: name, StatementId: "s3", ...s3, RevisionId: "non-matching-revision-id" }),
      ),
    );
    r.match(
      "remove_permission_fn_revision_id_doesnotmatch",
      await r.fails(
        r.lambda.send(
          new RemovePermissionCommand({
            FunctionName: name,
            StatementId: "s3",
            RevisionId: "non-matching-revision-id",
          }),
        ),
      ),
    );
    await r.ok(add(r, { FunctionName: name, StatementId: "s3_2", ...s3 }));
    const version = (await r.lambda.send(new PublishVersionCommand({ FunctionName: name }))).Version!;
    await r.ok(add(r, { FunctionName: name, StatementId: "s3_2", ...s3, Qualifier: version }));
    await setRuntime("python3.9");
    await r.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    r.match("get_policy_after_publish_version", await getPolicy(r, name));
    r.match("get_policy_v1_after_publish_version", await getPolicy(r, name, version));
    r.match("get_function_fn8", await getFunction());
    r.match("get_function_fn8_v1", await getFunction(version));
    await r.ok(add(r, { FunctionName: name, StatementId: "s3_3", ...s3, Qualifier: version }));
    r.match("get_function_fn9", await getFunction());
    r.match("get_function_fn9_v1", await getFunction(version));
    r.match("get_policy_v1_after_add_permission9", await getPolicy(r, name, version));
  }),
];
