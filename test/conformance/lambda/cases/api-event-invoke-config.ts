// test_lambda_api.py::TestLambdaEventInvokeConfig: the asynchronous-invocation configuration per
// qualifier, Put against Update, listing, and the errors. Their recordings are held back here
// (Jeff is checked against them elsewhere).
import {
  CreateAliasCommand,
  DeleteFunctionEventInvokeConfigCommand,
  type DestinationConfig,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  ListFunctionEventInvokeConfigsCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  type PutFunctionEventInvokeConfigCommandInput,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Answer, type Replay, shortUid } from "../replay.js";

type ConfigInput = Omit<PutFunctionEventInvokeConfigCommandInput, "FunctionName"> & { FunctionName?: string };

/** `SortingTransformer("FunctionEventInvokeConfigs", key=FunctionArn)`. */
function byFunctionArn(answer: Answer): Answer {
  const configs = answer.FunctionEventInvokeConfigs as Array<{ FunctionArn: string }> | undefined;
  if (!configs) return answer;
  const sorted = [...configs].sort((a, b) =>
    a.FunctionArn < b.FunctionArn ? -1 : a.FunctionArn > b.FunctionArn ? 1 : 0,
  );
  return { ...answer, FunctionEventInvokeConfigs: sorted };
}

async function lifecycle(r: Replay) {
  const name = `fn-eventinvoke-${shortUid()}`;
  await r.createFunction({ funcName: name });
  const lambda = r.lambda;
  const put = (input: ConfigInput) =>
    r.ok(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, ...input })));
  const update = (input: ConfigInput) =>
    r.ok(lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, ...input })));
  const get = (Qualifier?: string) =>
    lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier }));
  const list = (more: { MaxItems?: number; Marker?: string } = {}) =>
    lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name, ...more }));
  r.match("put_invokeconfig_retries_0", await put({ MaximumRetryAttempts: 0 }));
  r.match("put_invokeconfig_eventage_60", await put({ MaximumEventAgeInSeconds: 60 }));
  r.match("update_invokeconfig_eventage_nochange", await update({ MaximumEventAgeInSeconds: 60 }));
  r.match("update_invokeconfig_retries", await update({ MaximumRetryAttempts: 1 }));
  r.match("get_invokeconfig", await r.ok(get()));
  r.match("get_invokeconfig_latest", await r.ok(get("$LATEST")));
  r.match("list_single_invokeconfig", await r.ok(list()));
  const published = await r.ok(lambda.send(new PublishVersionCommand({ FunctionName: name })));
  r.match("publish_version_result", published);
  const version = published.Version as string;
  r.match("get_invokeconfig_postpublish", await r.fails(get(version)));
  r.match("put_published_invokeconfig", await put({ Qualifier: version, MaximumEventAgeInSeconds: 120 }));
  r.match("get_published_invokeconfig", await r.ok(get(version)));
  const single = await list({ MaxItems: 1 });
  const all = await list();
  if (single.FunctionEventInvokeConfigs?.length !== 1 || all.FunctionEventInvokeConfigs?.length !== 2)
    throw new Error("listing did not page as Lambda does");
  const rest = await list({ Marker: single.NextMarker!, MaxItems: 1 });
  const seen = new Set([
    single.FunctionEventInvokeConfigs[0]!.FunctionArn,
    rest.FunctionEventInvokeConfigs?.[0]?.FunctionArn,
  ]);
  if (!all.FunctionEventInvokeConfigs.every((c) => seen.has(c.FunctionArn)))
    throw new Error("the two pages do not hold every configuration");
  await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name }));
  r.match("list_paging_nolimit_postdelete", await r.ok(list()));
}

async function exceptions(r: Replay) {
  const lambda = r.lambda;
  const name = `fn-eventinvoke-${shortUid()}`;
  const name2 = `fn-eventinvoke-2-${shortUid()}`;
  await r.createFunction({ funcName: name });
  const fnArn = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration!
    .FunctionArn!;
  await r.createFunction({ funcName: name2 });
  const fnArn2 = (await lambda.send(new GetFunctionCommand({ FunctionName: name2 }))).Configuration!
    .FunctionArn!;
  const published = await r.ok(lambda.send(new PublishVersionCommand({ FunctionName: name })));
  r.match("fn_version_result", published);
  const version = published.Version as string;
  const alias = await r.ok(
    lambda.send(
      new CreateAliasCommand({ FunctionName: name, Name: "eventinvokealias", FunctionVersion: version }),
    ),
  );
  r.match("fn_alias_result", alias);
  const aliasName = alias.Name as string;
  const aliasArn = alias.AliasArn as string;
  const fakeArn = `arn:aws:lambda:${r.region}:${r.accountId}:function:doesnotexist`;

  const putCall = (input: ConfigInput) =>
    lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, ...input }));
  const ok = async (label: string, input: ConfigInput) => r.match(label, await r.ok(putCall(input)));
  const refused = async (label: string, input: ConfigInput) => r.match(label, await r.fails(putCall(input)));
  const onSuccess = (Destination?: string): DestinationConfig => ({
    OnSuccess: Destination === undefined ? {} : { Destination },
  });

  await refused("put_functionname_name_notfound", { FunctionName: "doesnotexist", MaximumRetryAttempts: 1 });
  await refused("put_functionname_arn_notfound", { FunctionName: fakeArn, MaximumRetryAttempts: 1 });
  await refused("put_functionname_nootherargs", { FunctionName: "doesnotexist" });
  await refused("put_destination_lambda_doesntexist", { DestinationConfig: onSuccess(fakeArn) });
  await refused("put_destination_recursive", { DestinationConfig: onSuccess(fnArn) });
  await ok("put_destination_other_lambda", { DestinationConfig: onSuccess(fnArn2) });
  await refused("put_destination_invalid_service_arn", {
    DestinationConfig: onSuccess(fnArn.replace(":lambda:", ":iam:")),
  });
  await ok("put_destination_success_no_destination_arn", { DestinationConfig: onSuccess() });
  await ok("put_destination_failure_no_destination_arn", { DestinationConfig: { OnFailure: {} } });
  await refused("put_destination_invalid_arn_pattern", {
    DestinationConfig: { OnFailure: { Destination: fnArn.replace(":lambda:", ":_-/!lambda:") } },
  });
  await ok("put_destination_latest", { MaximumRetryAttempts: 1 });
  await ok("put_destination_latest_explicit_qualifier", { Qualifier: "$LATEST", MaximumRetryAttempts: 1 });
  await ok("put_destination_version", { Qualifier: version, MaximumRetryAttempts: 1 });
  await ok("put_alias_functionname_qualifier", { Qualifier: aliasName, MaximumRetryAttempts: 1 });
  await refused("put_alias_doesnotexist", { Qualifier: `${aliasName}doesnotexist`, MaximumRetryAttempts: 1 });
  await ok("put_alias_qualifiedarn", { FunctionName: aliasArn, MaximumRetryAttempts: 1 });
  await ok("put_alias_qualifiedarn_qualifier", {
    FunctionName: aliasArn,
    Qualifier: aliasName,
    MaximumRetryAttempts: 1,
  });
  await refused("put_alias_qualifiedarn_qualifierconflict", {
    FunctionName: aliasArn,
    Qualifier: `${aliasName}doesnotexist`,
    MaximumRetryAttempts: 1,
  });
  const shorthand = `${name}:${aliasName}`;
  await ok("put_alias_shorthand", { FunctionName: shorthand, MaximumRetryAttempts: 1 });
  await ok("put_alias_shorthand_qualifier", {
    FunctionName: shorthand,
    Qualifier: aliasName,
    MaximumRetryAttempts: 1,
  });
  await refused("put_alias_shorthand_qualifierconflict", {
    FunctionName: shorthand,
    Qualifier: `${aliasName}doesnotexist`,
    MaximumRetryAttempts: 1,
  });
  await ok("put_version_shorthand", { FunctionName: `${name}:${version}`, MaximumRetryAttempts: 1 });
  await ok("put_shorthand_qualifier_match", {
    FunctionName: `${name}:$LATEST`,
    Qualifier: "$LATEST",
    MaximumRetryAttempts: 1,
  });
  await refused("put_shorthand_qualifier_mismatch_1", {
    FunctionName: `${name}:${version}`,
    Qualifier: "$LATEST",
    MaximumRetryAttempts: 1,
  });
  await refused("put_shorthand_qualifier_mismatch_2", {
    FunctionName: `${name}:$LATEST`,
    Qualifier: version,
    MaximumRetryAttempts: 1,
  });
  await refused("put_shorthand_qualifier_mismatch_3", {
    FunctionName: `${name}:${version}`,
    Qualifier: aliasName,
    MaximumRetryAttempts: 1,
  });
  await ok("put_maxevent_maxvalue_result", { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
  await ok("put_pre_overwrite", { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 });
  await ok("put_post_overwrite", { MaximumRetryAttempts: 0 });
  await ok("second_overwrite_existing_response", { MaximumRetryAttempts: 0 });
  const getCall = (FunctionName: string, Qualifier?: string) =>
    lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName, Qualifier }));
  const overwritten = await r.ok(getCall(name));
  r.match("get_post_overwrite", overwritten);
  if (overwritten.MaximumRetryAttempts !== 0 || "MaximumEventAgeInSeconds" in overwritten)
    throw new Error("Put did not replace the whole configuration");
  await ok("pre_update_response", { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 });
  const updateCall = (FunctionName: string) =>
    lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName, MaximumRetryAttempts: 0 }));
  r.match("update_response", await r.ok(updateCall(name)));
  r.match("update_response_existing", await r.ok(updateCall(name)));
  const updated = await getCall(name);
  if (updated.MaximumRetryAttempts !== 0 || updated.MaximumEventAgeInSeconds !== 60)
    throw new Error("Update did not merge into the configuration");
  const list = (FunctionName: string, MaxItems?: number) =>
    lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName, MaxItems }));
  r.match("list_configs", byFunctionArn(await r.ok(list(name))));
  const paged = await list(name, 2);
  if (paged.FunctionEventInvokeConfigs?.length !== 2 || !paged.NextMarker)
    throw new Error("MaxItems 2 of 3 did not page");
  const deleteCall = (FunctionName: string, Qualifier?: string) =>
    lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName, Qualifier }));
  r.match("delete_latest", await r.ok(deleteCall(name, "$LATEST")));
  r.match("delete_version", await r.ok(deleteCall(name, version)));
  r.match("delete_alias", await r.ok(deleteCall(name, aliasName)));
  r.match("list_configs_postdelete", byFunctionArn(await r.ok(list(name))));
  r.match("delete_function_not_found", await r.fails(deleteCall(name)));
  r.match("delete_function_doesnotexist", await r.fails(deleteCall("doesnotexist")));
  r.match("list_function_doesnotexist", await r.fails(list("doesnotexist")));
  r.match("get_function_doesnotexist", await r.fails(getCall("doesnotexist")));
  r.match("get_qualifier_doesnotexist", await r.fails(getCall(name, "doesnotexist")));
  r.match("update_eventinvokeconfig_function_doesnotexist", await r.fails(updateCall("doesnotexist")));
  r.match("get_eventinvokeconfig_doesnotexist", await r.fails(getCall(aliasArn)));
  r.match("update_eventinvokeconfig_config_doesnotexist_with_qualifier", await r.fails(updateCall(aliasArn)));
  r.match("update_eventinvokeconfig_config_doesnotexist_without_qualifier", await r.fails(updateCall(fnArn)));
}

export const cases: ReplayCase[] = [
  replayed(
    "test_lambda_api",
    "TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_lifecycle",
    lifecycle,
  ),
  replayed(
    "test_lambda_api",
    "TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_exceptions",
    exceptions,
  ),
];
