// test_lambda.py::TestLambdaConcurrency: reserved concurrency, set, read and removed. (Its tests
// of provisioned concurrency, and those that need SQS, are excluded in scope.ts.)
import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  PutFunctionConcurrencyCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid, testLambdaFixture } from "../replay.js";

async function concurrencyCrud(r: Replay) {
  testLambdaFixture(r);
  const name = `fn-concurrency-${shortUid()}`;
  await r.createFunction({ funcName: name, Runtime: "python3.12" });
  const get = () => r.ok(r.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name })));
  r.match("get_function_concurrency_default", await get());
  r.match(
    "put_function_concurrency",
    await r.ok(
      r.lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }),
      ),
    ),
  );
  r.match("get_function_concurrency_updated", await get());
  await r.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
  r.match("get_function_concurrency_deleted", await get());
}

async function concurrencyUpdate(r: Replay) {
  testLambdaFixture(r);
  const name = `fn-concurrency-${shortUid()}`;
  await r.createFunction({ funcName: name, Runtime: "python3.12" });
  const get = () => r.ok(r.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name })));
  r.match(
    "put_function_concurrency",
    await r.ok(
      r.lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 3 }),
      ),
    ),
  );
  const updated = await get();
  r.match("get_function_concurrency_updated", updated);
  if (updated.ReservedConcurrentExecutions !== 3) throw new Error("the reserved concurrency is not 3");
  r.match(
    "get_function_concurrency_info",
    await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: name }))),
  );
  await r.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
  r.match("get_function_concurrency_deleted", await get());
}

export const cases: ReplayCase[] = [
  replayed("test_lambda", "TestLambdaConcurrency::test_lambda_concurrency_crud", concurrencyCrud),
  replayed("test_lambda", "TestLambdaConcurrency::test_lambda_concurrency_update", concurrencyUpdate),
];
