// test_lambda_api.py::TestLambdaFunction::test_function_name_and_qualifier_validation: each
// malformed name or qualifier, sent to GetFunction, DeleteFunction, Invoke and CreateFunction.
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Answer, echoSource, type Replay, zip } from "../replay.js";

const a = (n: number) => "a".repeat(n);

/** The parameters by id; `{region_name}` and `{account_id}` are filled in per run. */
const testCases: Record<string, { FunctionName: string; Qualifier?: string }> = {
  invalid_characters_in_function_name: { FunctionName: "my-function!" },
  function_name_is_single_invalid: { FunctionName: "*" },
  invalid_characters_in_qualifier: { FunctionName: "my-function", Qualifier: "invalid!" },
  // The recording holds two runs of this id (an older one is `qualifier_too_long1`, whose answers
  // name a 65-character qualifier).
  qualifier_too_long0: { FunctionName: "my-function", Qualifier: a(129) },
  qualifier_too_long1: { FunctionName: "my-function", Qualifier: a(65) },
  function_name_and_qualifier_too_long: { FunctionName: "my-function", Qualifier: a(65) },
  invalid_account_id_in_partial_arn: { FunctionName: "invalid-account:function:my-function" },
  invalid_region_in_arn: { FunctionName: "arn:aws:lambda:invalid-region:{account_id}:function:my-function" },
  non_lambda_arn: { FunctionName: "arn:aws:ec2:{region_name}:{account_id}:instance:i-1234567890abcdef0" },
  function_name_too_long: { FunctionName: a(65) },
  function_name_too_long_and_invalid_region: {
    FunctionName: `arn:aws:lambda:invalid-region:{account_id}:function:my-function${a(170)}`,
  },
  full_arn_and_qualifier_too_long_and_invalid_region: {
    FunctionName: `arn:aws:lambda:invalid-region:{account_id}:function:my-function-${a(170)}`,
    Qualifier: a(129),
  },
  full_arn_with_multiple_qualifiers: {
    FunctionName: "arn:aws:lambda:{region_name}:{account_id}:function:my-function:1:2",
  },
  incomplete_arn: { FunctionName: "arn:aws:lambda:{region_name}:{account_id}:function" },
  partial_arn_with_extra_qualifier: { FunctionName: "function:my-function:$LATEST:extra" },
  latest_version_with_additional_qualifier: {
    FunctionName: "arn:aws:lambda:{region_name}:{account_id}:function:my-function:$LATEST",
    Qualifier: "1",
  },
  lowercase_latest_qualifier: {
    FunctionName: "arn:aws:lambda:{region_name}:{account_id}:function:my-function",
    Qualifier: "$latest",
  },
  missing_region_in_arn: { FunctionName: "arn:aws:lambda::{account_id}:function:my-function" },
  missing_account_id_in_arn: { FunctionName: "arn:aws:lambda:{region_name}::function:my-function" },
  misspelled_latest_in_arn: {
    FunctionName: "arn:aws:lambda:{region_name}:{account_id}:function:my-function:$LATES",
  },
};

const clientFns = ["get_function", "delete_function", "invoke", "create_function"] as const;

/** The test's `_extract_from_error_message`. */
function extract(response: Answer): Record<string, unknown> {
  const { Code: code, Message: message } = response.Error as { Code: string; Message: string };
  const errors = [
    ...message.matchAll(/(Value '.*?' at '.*?' failed to satisfy constraint: .+?(?=;|$))/g),
  ].map((m) => m[1]!);
  if (errors.length > 0) return { Code: code, Errors: errors.sort(), Count: errors.length };
  return { Code: code, Message: message };
}

async function run(r: Replay, id: string, clientFn: (typeof clientFns)[number]) {
  const testCase = { ...testCases[id]! };
  testCase.FunctionName = testCase.FunctionName.replaceAll("{region_name}", r.region).replaceAll(
    "{account_id}",
    r.accountId,
  );
  const maxArn = clientFn === "invoke" || clientFn === "get_function" ? 170 : 140;
  r.regex(a(maxArn), `<a:len(${maxArn})>`);
  r.regex(a(129), "<a:len(129)>");
  r.regex(a(65), "<a:len(65)>");
  const { FunctionName, Qualifier } = testCase;
  const call = {
    get_function: () => r.lambda.send(new GetFunctionCommand({ FunctionName, Qualifier })),
    delete_function: () => r.lambda.send(new DeleteFunctionCommand({ FunctionName, Qualifier })),
    invoke: () => r.lambda.send(new InvokeCommand({ FunctionName, Qualifier })),
    create_function: () =>
      r.lambda.send(
        new CreateFunctionCommand({
          FunctionName: Qualifier ? `${FunctionName}:${Qualifier}` : FunctionName,
          Handler: "index.handler",
          Code: { ZipFile: zip({ "index.py": echoSource("python3.12") }) },
          PackageType: "Zip",
          Role: r.role,
          Runtime: "python3.12",
        }),
      ),
  }[clientFn];
  if (id === "incomplete_arn" && clientFn === "create_function") return; // "Works against AWS": not recorded
  if (id.endsWith("too_long1") || id === "function_name_and_qualifier_too_long") {
    if (clientFn === "create_function") return; // recorded as nothing
  }
  r.match(`${clientFn}_exception`, extract(await r.fails(call())));
}

export const cases: ReplayCase[] = Object.keys(testCases).flatMap((id) =>
  clientFns.map((clientFn) =>
    replayed(
      "test_lambda_api",
      `TestLambdaFunction::test_function_name_and_qualifier_validation[${id}-${clientFn}]`,
      (r) => run(r, id, clientFn),
    ),
  ),
);
