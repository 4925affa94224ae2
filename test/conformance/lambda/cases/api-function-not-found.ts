// test_lambda_api.py::TestLambdaFunction: calls on a function that is not there — by its name, by
// a version it does not have, and by its ARN in another Region.
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";

const nonexistingFnOps = [
  "delete_function",
  "get_function",
  "get_function_configuration",
  "get_function_url_config",
  "get_function_code_signing_config",
  "get_function_event_invoke_config",
  "get_function_concurrency",
];

const nonexistingVersionOps = [
  "get_function",
  "get_function_configuration",
  "get_function_event_invoke_config",
];

const wrongRegionOps = [
  "get_function",
  "get_function_configuration",
  "get_function_url_config",
  "get_function_code_signing_config",
  "get_function_event_invoke_config",
  "get_function_concurrency",
  "delete_function",
  "invoke",
];

async function opsOnNonexistingFn(r: Replay, clientFn: string) {
  const functionName = `i-dont-exist-${shortUid()}`;
  r.regex(functionName, "<nonexisting-fn-name>");
  r.match("not_found_exception", await r.fails(r.call(clientFn, { FunctionName: functionName })));
}

async function opsOnNonexistingVersion(r: Replay, clientFn: string) {
  const functionName = `i-exist-${shortUid()}`;
  r.regex(functionName, "<fn-name>");
  await r.createFunction({ funcName: functionName, Description: "Initial description" });
  r.match(
    "version_not_found_exception",
    await r.fails(r.call(clientFn, { FunctionName: functionName, Qualifier: "1221" })),
  );
}

async function wrongRegion(r: Replay, clientFn: string) {
  const functionName = `i-exist-${shortUid()}`;
  r.regex(functionName, "<fn-name>");
  await r.createFunction({ funcName: functionName, Description: "Initial description" });
  const region = r.region === "us-east-1" ? "eu-central-1" : "us-east-1";
  r.regex(region, "<wrong-region>");
  const arn = `arn:aws:lambda:${region}:${r.accountId}:function:${functionName}`;
  r.match("wrong_region_exception", await r.fails(r.call(clientFn, { FunctionName: arn })));
}

export const cases: ReplayCase[] = [
  ...nonexistingFnOps.map((op) =>
    replayed("test_lambda_api", `TestLambdaFunction::test_ops_on_nonexisting_fn[${op}]`, (r) =>
      opsOnNonexistingFn(r, op),
    ),
  ),
  ...nonexistingVersionOps.map((op) =>
    replayed("test_lambda_api", `TestLambdaFunction::test_ops_on_nonexisting_version[${op}]`, (r) =>
      opsOnNonexistingVersion(r, op),
    ),
  ),
  ...wrongRegionOps.map((op) =>
    replayed("test_lambda_api", `TestLambdaFunction::test_get_function_wrong_region[${op}]`, (r) =>
      wrongRegion(r, op),
    ),
  ),
];
