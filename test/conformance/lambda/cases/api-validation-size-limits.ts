// test_lambda_api.py::TestLambdaSizeLimits: a package over the zipped limit, and a request over
// CreateFunction's size limit with a package just under it. The packages are stored, not deflated,
// as the test's zip is, so their size is what it says.
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { type ReplayCase, replayed } from "../case.js";
import { echoSource, type Replay, shortUid } from "../replay.js";

const zippedLimit = 52_428_800;
const requestLimit = 70_167_211;

/** The echo handler padded with `#` to `size` characters (the test's _generate_sized_python_str). */
function sized(size: number): string {
  const source = echoSource("python3.12");
  return source + "#".repeat(size - source.length);
}

function storedZip(source: string): Uint8Array {
  return zipSync({ "handler.py": [new TextEncoder().encode(source), { level: 0 }] });
}

async function create(r: Replay, zipFile: Uint8Array, variables?: Record<string, string>) {
  const call = r.lambda.send(
    new CreateFunctionCommand({
      FunctionName: `test_lambda_${shortUid()}`,
      Runtime: "python3.12",
      Handler: "handler.handler",
      Role: r.role,
      Code: { ZipFile: zipFile },
      Timeout: 10,
      ...(variables ? { Environment: { Variables: variables } } : {}),
    }),
  );
  r.match("invalid_param_exc", await r.fails(call));
}

export const cases: ReplayCase[] = [
  replayed("test_lambda_api", "TestLambdaSizeLimits::test_oversized_request_create_lambda", async (r) => {
    // Just under the zipped limit, which is checked first; the environment takes the request over.
    const zipFile = storedZip(sized(zippedLimit - 1024));
    await create(r, zipFile, { largeKey: sized(requestLimit - zippedLimit + 1024 * 1024) });
  }),
  replayed("test_lambda_api", "TestLambdaSizeLimits::test_oversized_zipped_create_lambda", async (r) => {
    await create(r, storedZip(sized(zippedLimit)));
  }),
];
