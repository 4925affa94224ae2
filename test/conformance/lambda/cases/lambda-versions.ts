// test_lambda.py::TestLambdaVersions: published versions keep their code and configuration while
// $LATEST changes. (test_async_invoke_queue_upon_function_update writes to S3: excluded in scope.ts.)

import {
  GetFunctionCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { until } from "../../../integration/until.js";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid, testLambdaFixture, zip } from "../replay.js";

/** A handler that tells which code (`versionId`) ran, and how it was invoked. */
export function versionSource(versionId: string): string {
  return `def handler(event, context):
    result = {
        "version_id": "${versionId}",
        "invoked_arn": context.invoked_function_arn,
        "version_from_ctx": context.function_version,
    }
    print(result)
    return result
`;
}

/** Two handlers in one module, each answering its own name. */
const twoHandlers = `def handler(event, context):
    print({"handler": "handler"})
    return {"handler": "handler"}


def handler_two(event, context):
    print({"handler": "handler_two"})
    return {"handler": "handler_two"}
`;

/** A handler that sleeps when asked and answers its version, request and variant. */
const sleepThenVariant = `import os
import time

VARIANT = os.environ.get("FUNCTION_VARIANT")


def handler(event, context):
    seconds = int(event.get("sleep_seconds", 0))
    if seconds > 0:
        print(f"Sleeping for {seconds} seconds ...")
        time.sleep(seconds)
        print("... done sleeping")
    return {
        "function_version": context.function_version,
        "request_id": context.aws_request_id,
        "request_prefix": event.get("request_prefix"),
        "function_variant": VARIANT,
    }
`;

const empty = new TextEncoder().encode("{}");

/** Whether Jeff is running an invocation now (its metrics' `jeff_function_concurrent_executions`). */
async function invocationRunning(r: Replay): Promise<boolean> {
  const metrics = await (await fetch(new URL("/_jeff/metrics", r.jeff.url))).text();
  const running = /^jeff_function_concurrent_executions (\d+)/m.exec(metrics)?.[1];
  return Number(running ?? 0) > 0;
}
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function versionsWithCodeChanges(r: Replay) {
  testLambdaFixture(r);
  const name = `fn-${shortUid()}`;
  const invoke = (Qualifier?: string) =>
    r.ok(r.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier, Payload: empty })));
  r.match(
    "create_response",
    await r.createFunctionAws({
      FunctionName: name,
      Handler: "handler.handler",
      Code: { ZipFile: zip({ "handler.py": versionSource("version1") }) },
      PackageType: "Zip",
      Role: r.role,
      Runtime: "python3.12",
      Description: "No version :(",
    }),
  );
  const first = await r.ok(
    r.lambda.send(
      new PublishVersionCommand({ FunctionName: name, Description: "First version description :)" }),
    ),
  );
  r.match("first_publish_response", first);
  r.match(
    "update_lambda_response",
    await r.ok(
      r.lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: name,
          ZipFile: zip({ "handler.py": versionSource("version2") }),
        }),
      ),
    ),
  );
  await r.waitUpdated(name);
  r.match("invocation_result_latest", await invoke());
  r.match("invocation_result_v1", await invoke(first.Version as string));
  const second = await r.ok(
    r.lambda.send(
      new PublishVersionCommand({ FunctionName: name, Description: "Second version description :)" }),
    ),
  );
  r.match("second_publish_response", second);
  await r.waitUpdated(name, second.Version as string);
  r.match("invocation_result_v2", await invoke(second.Version as string));
  const third = await r.ok(
    r.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: name,
        ZipFile: zip({ "handler.py": versionSource("version3") }),
        Publish: true,
      }),
    ),
  );
  r.match("update_lambda_response_with_publish", third);
  await r.waitUpdated(name, third.Version as string);
  r.match("invocation_result_v3", await invoke(third.Version as string));
  r.match("invocation_result_latest_end", await invoke());
  r.match("invocation_result_v2_end", await invoke(second.Version as string));
  r.match("invocation_result_v1_end", await invoke(first.Version as string));
}

async function handlerUpdate(r: Replay) {
  testLambdaFixture(r);
  const name = `test_lambda_${shortUid()}`;
  await r.createFunction({ funcName: name, Runtime: "python3.12", files: { "handler.py": twoHandlers } });
  const invoke = () => r.ok(r.lambda.send(new InvokeCommand({ FunctionName: name })));
  r.match("invoke_result_handler_one", await invoke());
  r.match(
    "update_function_configuration_result",
    await r.ok(
      r.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, Handler: "handler.handler_two" }),
      ),
    ),
  );
  await r.waitUpdated(name);
  r.match("get_function_result", await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: name }))));
  r.match("invoke_result_handler_two", await invoke());
  const published = await r.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await r.waitUpdated(name, published.Version);
  r.match("invoke_result_handler_two_postpublish", await invoke());
}

async function updateDuringInvoke(r: Replay) {
  testLambdaFixture(r);
  const name = `test-function-${shortUid()}`;
  const variables = { FUNCTION_VARIANT: "variant-1" };
  await r.createFunction({
    funcName: name,
    Runtime: "python3.12",
    files: { "handler.py": sleepThenVariant },
    Environment: { Variables: variables },
  });
  // The test sleeps 5 s so that the invocation is running when the update comes; here the update
  // waits until Jeff reports an invocation running (its log lines arrive only when it ends).
  const update = async () => {
    await until(() => invocationRunning(r), "the first invocation to start");
    await r.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Environment: { Variables: { ...variables, FUNCTION_VARIANT: "variant-2" } },
      }),
    );
    await r.waitUpdated(name);
    const after = await r.lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: json({ request_prefix: "2-post-update" }) }),
    );
    const payload = JSON.parse(Buffer.from(after.Payload ?? []).toString("utf8")) as Record<string, unknown>;
    if (
      after.StatusCode !== 200 ||
      payload.function_variant !== "variant-2" ||
      payload.function_version !== "$LATEST"
    ) {
      throw new Error(`the invocation after the update answered ${JSON.stringify(payload)}`);
    }
  };
  const updated = update();
  updated.catch(() => undefined); // awaited below; not unhandled meanwhile
  r.match(
    "invoke_response_before",
    await r.ok(
      r.lambda.send(
        new InvokeCommand({
          FunctionName: name,
          Payload: json({ request_prefix: "1-sleep", sleep_seconds: 20 }),
        }),
      ),
    ),
  );
  await updated;
}

const test = (name: string, run: (r: Replay) => Promise<void>) =>
  replayed("test_lambda", `TestLambdaVersions::${name}`, run);

export const cases: ReplayCase[] = [
  test("test_lambda_versions_with_code_changes", versionsWithCodeChanges),
  test("test_lambda_handler_update", handlerUpdate),
  test("test_function_update_during_invoke", updateDuringInvoke),
];
