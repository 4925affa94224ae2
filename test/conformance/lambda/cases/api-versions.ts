// test_lambda_api.py::TestLambdaVersions: publishing versions (on create, on update, explicitly),
// their idempotence, and the CodeSha256 and RevisionId guards.
import {
  type CreateFunctionCommandInput,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { echoSource, type Replay, shortUid, zip } from "../replay.js";

/** The input the tests give `create_lambda_function_aws`: the echo handler as index.py. */
function createInput(r: Replay, name: string, more: Partial<CreateFunctionCommandInput> = {}) {
  return {
    FunctionName: name,
    Handler: "index.handler",
    Code: { ZipFile: zip({ "index.py": echoSource("python3.12") }) },
    PackageType: "Zip",
    Role: r.role,
    Runtime: "python3.12",
    ...more,
  } satisfies CreateFunctionCommandInput;
}

/** TEST_LAMBDA_PYTHON_VERSION: a handler answering which version of it ran. */
const versionHandler = `def handler(event, context):
    answer = {
        "version_id": "%s",
        "invoked_arn": context.invoked_function_arn,
        "version_from_ctx": context.function_version,
    }
    print(answer)
    return answer
`;

const get = (r: Replay, FunctionName: string, Qualifier?: string) =>
  r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName, Qualifier })));
const listVersions = (r: Replay, FunctionName: string) =>
  r.ok(r.lambda.send(new ListVersionsByFunctionCommand({ FunctionName })));
const publish = (
  r: Replay,
  FunctionName: string,
  more: { Description?: string; CodeSha256?: string; RevisionId?: string } = {},
) => r.ok(r.lambda.send(new PublishVersionCommand({ FunctionName, ...more })));

export const cases: ReplayCase[] = [
  replayed("test_lambda_api", "TestLambdaVersions::test_publish_version_on_create", async (r) => {
    const name = `fn-${shortUid()}`;
    r.match("create_response", await r.createFunctionAws(createInput(r, name, { Publish: true })));
    r.match("get_function_result", await get(r, name));
    r.match("get_function_version_result", await get(r, name, "1"));
    r.match("get_function_latest_result", await get(r, name, "$LATEST"));
    r.match("list_versions_result", await listVersions(r, name));
    r.match(
      "repeated_publish_response",
      await publish(r, name, { Description: "Repeated version description :)" }),
    );
    r.match("list_versions_result_after_publish", await listVersions(r, name));
  }),
  replayed("test_lambda_api", "TestLambdaVersions::test_version_lifecycle", async (r) => {
    const name = `fn-${shortUid()}`;
    r.match(
      "create_response",
      await r.createFunctionAws(createInput(r, name, { Description: "No version :(" })),
    );
    r.match("get_function_result", await get(r, name));
    r.match("list_versions_result", await listVersions(r, name));
    const describe = (Description: string) =>
      r.ok(r.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description })));
    r.match("first_update_response", await describe("First version :)"));
    await r.waitUpdated(name);
    r.match("first_update_get_function", await get(r, name));
    const first = await publish(r, name, { Description: "First version description :)" });
    r.match("first_publish_response", first);
    const version = first.Version as string;
    r.match("first_publish_get_function", await get(r, name, version));
    r.match(
      "first_publish_get_function_config",
      await r.ok(
        r.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: version })),
      ),
    );
    r.match("second_update_response", await describe("Second version :))"));
    await r.waitUpdated(name);
    r.match("first_publish_get_function_after_update", await get(r, name, version));
    r.match("second_publish_response", await publish(r, name));
    r.match(
      "third_publish_response",
      await publish(r, name, { Description: "Third version description :)))" }),
    );
    r.match("list_versions_result_after_third_publish", await listVersions(r, name));
    await r.lambda.send(new DeleteFunctionCommand({ FunctionName: `${name}:${version}` }));
    r.match("list_versions_result_after_deletion_of_first_version", await listVersions(r, name));
  }),
  replayed("test_lambda_api", "TestLambdaVersions::test_publish_with_wrong_sha256", async (r) => {
    const name = `fn-${shortUid()}`;
    r.match("create_response", await r.createFunctionAws(createInput(r, name)));
    const got = await get(r, name);
    r.match("get_fn_response", got);
    r.match(
      "publish_wrong_sha256_exc",
      await r.fails(
        r.lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: "somenonexistentsha256" })),
      ),
    );
    const sha = (got.Configuration as { CodeSha256: string }).CodeSha256;
    r.match("publish_result", await publish(r, name, { CodeSha256: sha }));
  }),
  // A recording of a test since removed (python3.9, an older AWS answer without LoggingConfig):
  // PublishVersion with a stale RevisionId, then the right one.
  replayed("test_lambda_api", "TestLambdaVersions::test_publish_with_wrong_revisionid", async (r) => {
    const name = `fn-${shortUid()}`;
    r.match("create_response", await r.createFunctionAws(createInput(r, name, { Runtime: "python3.9" })));
    const got = await get(r, name);
    r.match("get_fn_response", got);
    r.match(
      "publish_wrong_revisionid_exc",
      await r.fails(
        r.lambda.send(new PublishVersionCommand({ FunctionName: name, RevisionId: "doesntexist" })),
      ),
    );
    const revision = (got.Configuration as { RevisionId: string }).RevisionId;
    r.match("publish_result", await publish(r, name, { RevisionId: revision }));
  }),
  replayed("test_lambda_api", "TestLambdaVersions::test_publish_with_update", async (r) => {
    const name = `fn-${shortUid()}`;
    r.match("create_response", await r.createFunctionAws(createInput(r, name)));
    r.match("get_function_result", await get(r, name));
    r.match(
      "update_function_code_result",
      await r.ok(
        r.lambda.send(
          new UpdateFunctionCodeCommand({
            FunctionName: name,
            ZipFile: zip({ "index.py": versionHandler }),
            Publish: true,
          }),
        ),
      ),
    );
    r.match("get_function_version_result", await get(r, name, "1"));
    r.match("get_function_latest_result", await get(r, name, "$LATEST"));
  }),
];
