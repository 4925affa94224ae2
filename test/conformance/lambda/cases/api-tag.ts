// test_lambda_api.py::TestLambdaTag: tags on functions (the event-source-mapping variants are out of
// scope, scope.ts), and the errors for tagging resources that are not there.
import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";

/** The class's fixture `fn_arn`: an echo function, by its ARN. */
async function fnArn(r: Replay): Promise<string> {
  const name = `fn-${shortUid()}`;
  await r.createFunction({ funcName: name });
  const got = await r.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  return got.Configuration!.FunctionArn!;
}

async function tagLifecycle(r: Replay) {
  const arn = await fnArn(r);
  const tag = (label: string, Tags: Record<string, string>) =>
    r.ok(r.lambda.send(new TagResourceCommand({ Resource: arn, Tags }))).then((a) => r.match(label, a));
  const untag = (label: string, TagKeys: string[]) =>
    r.ok(r.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys }))).then((a) => r.match(label, a));
  const list = async (label: string) =>
    r.match(label, await r.ok(r.lambda.send(new ListTagsCommand({ Resource: arn }))));
  await tag("tag_single_response", { A: "tag-a" });
  await list("tag_single_response_listtags");
  await tag("tag_multiple_response", { B: "tag-b", C: "tag-c" });
  await list("tag_multiple_response_listtags");
  await tag("tag_overlap_response", { C: "tag-c-newsuffix", D: "tag-d" });
  await list("tag_overlap_response_listtags");
  await untag("untag_single_response", ["A"]);
  await list("untag_single_response_listtags");
  await untag("untag_multiple_response", ["B", "C"]);
  await list("untag_multiple_response_listtags");
  await untag("untag_nonexisting_response", ["F"]);
  await list("untag_nonexisting_response_listtags");
  await untag("untag_existing_and_nonexisting_response", ["D", "F"]);
  await list("untag_existing_and_nonexisting_response_listtags");
}

/** The test's ARN builders, by parameter id. */
const resourceArns: Record<string, (name: string, account: string, region: string) => string> = {
  lambda_function: (name, account, region) => `arn:aws:lambda:${region}:${account}:function:${name}`,
  event_source_mapping: (name, account, region) =>
    `arn:aws:lambda:${region}:${account}:event-source-mapping:${name}`,
  capacity_provider: (name, account, region) =>
    `arn:aws:lambda:${region}:${account}:capacity-provider:${name}`,
};

async function tagExceptions(r: Replay, id: string) {
  const resourceName = crypto.randomUUID();
  r.regex(resourceName, "<resource-name>");
  const arn = resourceArns[id]!(resourceName, r.accountId, r.region);
  const lambda = r.lambda;
  r.match(
    "not_found_exception_tag",
    await r.fails(lambda.send(new TagResourceCommand({ Resource: arn, Tags: { A: "B" } }))),
  );
  r.match(
    "not_found_exception_untag",
    await r.fails(lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["A"] }))),
  );
  r.match("not_found_exception_list", await r.fails(lambda.send(new ListTagsCommand({ Resource: arn }))));
  r.match(
    "aliased_arn_exception",
    await r.fails(lambda.send(new ListTagsCommand({ Resource: `${arn}:alias` }))),
  );
  const parts = arn.split(":");
  parts[parts.length - 2] = "foobar";
  r.match(
    "invalid_arn_exception",
    await r.fails(lambda.send(new ListTagsCommand({ Resource: parts.join(":") }))),
  );
}

export const cases: ReplayCase[] = [
  replayed("test_lambda_api", "TestLambdaTag::test_create_tag_on_fn_create", async (r) => {
    const name = `fn-${shortUid()}`;
    const customTag = `tag-${shortUid()}`;
    r.regex(customTag, "<custom-tag>");
    await r.createFunction({ funcName: name, Tags: { testtag: customTag } });
    const got = await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: name })));
    r.match("get_function_result", got);
    const arn = (got.Configuration as { FunctionArn: string }).FunctionArn;
    r.match("list_tags_result", await r.ok(r.lambda.send(new ListTagsCommand({ Resource: arn }))));
  }),
  replayed("test_lambda_api", "TestLambdaTag::test_tag_lifecycle[lambda_function]", tagLifecycle),
  // A recording from before the test took its resource as a parameter: the function's lifecycle.
  replayed("test_lambda_api", "TestLambdaTag::test_tag_lifecycle", tagLifecycle),
  ...Object.keys(resourceArns).map((id) =>
    replayed("test_lambda_api", `TestLambdaTag::test_tag_exceptions[${id}]`, (r) => tagExceptions(r, id)),
  ),
  replayed("test_lambda_api", "TestLambdaTag::test_tag_nonexisting_resource", async (r) => {
    const arn = await fnArn(r);
    r.match(
      "pre_delete_get_function",
      await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: arn }))),
    );
    await r.lambda.send(new DeleteFunctionCommand({ FunctionName: arn }));
    r.match(
      "not_found_exception_tag",
      await r.fails(r.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { A: "B" } }))),
    );
    r.match(
      "not_found_exception_untag",
      await r.fails(r.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["A"] }))),
    );
    r.match("not_found_exception_list", await r.fails(r.lambda.send(new ListTagsCommand({ Resource: arn }))));
  }),
];
