// test_lambda_api.py::TestLambdaTags: tags on functions and how GetFunction shows them, the limit
// of 50, tags on versions, and the errors.
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  ListTagsCommand,
  PublishVersionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { echoSource, type Replay, shortUid, zip } from "../replay.js";

async function functionArnOf(r: Replay, name: string): Promise<string> {
  return (await r.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration!.FunctionArn!;
}

const tag = (r: Replay, Resource: string, Tags: Record<string, string>) =>
  r.lambda.send(new TagResourceCommand({ Resource, Tags }));
const untag = (r: Replay, Resource: string, TagKeys: string[]) =>
  r.lambda.send(new UntagResourceCommand({ Resource, TagKeys }));

/** `{"0_key": "0_value", …}`, `count` of them. */
const manyTags = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, k) => [`${k}_key`, `${k}_value`]));

const fourTags = { key_b: "value_b", key_c: "value_c", key_d: "value_d", key_e: "value_e" };

export const cases: ReplayCase[] = [
  replayed("test_lambda_api", "TestLambdaTags::test_tag_lifecycle", async (r) => {
    const name = `fn-tag-${shortUid()}`;
    const snapshotTags = async (arn: string, suffix: string) => {
      r.match(
        `list_tags_response_${suffix}`,
        await r.ok(r.lambda.send(new ListTagsCommand({ Resource: arn }))),
      );
      r.match(
        `get_fn_response_${suffix}`,
        await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: arn }))),
      );
    };
    await r.createFunction({ funcName: name, Tags: { key_a: "value_a" } });
    const arn = await functionArnOf(r, name);
    await snapshotTags(arn, "postfncreate");
    r.match("tag_resource_response", await r.ok(tag(r, arn, fourTags)));
    await snapshotTags(arn, "postaddtags");
    r.match("tag_resource_overwrite", await r.ok(tag(r, arn, { key_b: "value_b", key_c: "value_x" })));
    await snapshotTags(arn, "overwrite");
    await untag(r, arn, ["key_c", "key_d"]);
    await snapshotTags(arn, "postuntag");
    await untag(r, arn, ["key_a", "key_b", "key_e"]);
    await snapshotTags(arn, "postuntagall");
    await r.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    r.match("list_tags_postdelete", await r.fails(r.lambda.send(new ListTagsCommand({ Resource: arn }))));
  }),
  replayed("test_lambda_api", "TestLambdaTags::test_tag_exceptions", async (r) => {
    const name = `fn-tag-${shortUid()}`;
    await r.createFunction({ funcName: name });
    const arn = await functionArnOf(r, name);
    const prefix = `arn:aws:lambda:${r.region}:${r.accountId}:function:`;
    r.match("tag_lambda_invalidarn", await r.fails(tag(r, "arn:aws:something", { key_a: "value_a" })));
    r.match("tag_lambda_doesnotexist", await r.fails(tag(r, `${prefix}doesnotexist`, { key_a: "value_a" })));
    r.match("tag_lambda_qualifier_doesnotexist", await r.fails(tag(r, `${arn}:v1`, { key_a: "value_a" })));
    r.match("list_tag_lambda_empty", await r.ok(r.lambda.send(new ListTagsCommand({ Resource: arn }))));
    r.match("untag_nomatch", await r.ok(untag(r, arn, ["somekey"])));
    r.match("untag_empty_keys", await r.fails(untag(r, arn, [])));
    r.match("tag_empty_tags", await r.fails(tag(r, arn, {})));
    await tag(r, arn, { a_key: "a_value", b_key: "b_value" });
    await untag(r, arn, ["a_key", "c_key"]);
    const left = (await r.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags ?? {};
    if ("a_key" in left || !("b_key" in left)) throw new Error(`untagging left ${JSON.stringify(left)}`);
  }),
  replayed("test_lambda_api", "TestLambdaTags::test_tag_limits", async (r) => {
    const name = `fn-tag-${shortUid()}`;
    await r.createFunction({ funcName: name });
    const arn = await functionArnOf(r, name);
    r.match("tag_lambda_too_many_tags", await r.fails(tag(r, arn, manyTags(51))));
    r.match("tag_response", await r.ok(tag(r, arn, manyTags(50))));
    r.match("list_tags_response", await r.ok(r.lambda.send(new ListTagsCommand({ Resource: arn }))));
    r.match("get_fn_response", await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: name }))));
    r.match("tag_lambda_too_many_tags_additional", await r.fails(tag(r, arn, { a_key: "a_value" })));
    const other = `fn-tag-${shortUid()}`;
    r.match(
      "create_function_invalid_tags",
      await r.fails(
        r.lambda.send(
          new CreateFunctionCommand({
            FunctionName: other,
            Handler: "index.handler",
            Code: { ZipFile: zip({ "handler.py": echoSource("python3.12") }) },
            PackageType: "Zip",
            Role: r.role,
            Runtime: "python3.12",
            Tags: manyTags(51),
          }),
        ),
      ),
    );
  }),
  replayed("test_lambda_api", "TestLambdaTags::test_tag_versions", async (r) => {
    const name = `fn-tag-${shortUid()}`;
    const created = await r.createFunction({ funcName: name, Tags: { key_a: "value_a" } });
    const arn = (created.CreateFunctionResponse as { FunctionArn: string }).FunctionArn;
    const version = await r.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    r.match("tag_resource_exception", await r.fails(tag(r, version.FunctionArn!, fourTags)));
    r.match("tag_resource_latest_exception", await r.fails(tag(r, `${arn}:$LATEST`, fourTags)));
  }),
];
