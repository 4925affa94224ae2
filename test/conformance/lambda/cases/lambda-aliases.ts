// test_lambda.py::TestLambdaAliases: an alias keeps its version until it is updated, and routes
// between two versions by weight.

import {
  CreateAliasCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { until } from "../../../integration/until.js";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid, testLambdaFixture, zip } from "../replay.js";
import { versionSource } from "./lambda-versions.js";

const empty = new TextEncoder().encode("{}");

async function aliasMoving(r: Replay) {
  testLambdaFixture(r);
  const name = `fn-${shortUid()}`;
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
  const first = await r.lambda.send(
    new PublishVersionCommand({ FunctionName: name, Description: "First version description :)" }),
  );
  await r.waitUpdated(name, first.Version);
  const alias = await r.ok(
    r.lambda.send(
      new CreateAliasCommand({ FunctionName: name, FunctionVersion: first.Version, Name: "alias1" }),
    ),
  );
  r.match("create_alias_response", alias);
  const aliasName = alias.Name as string;
  const invokeAlias = () =>
    r.ok(r.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: aliasName, Payload: empty })));
  r.match("invocation_result_qualifier_v1", await invokeAlias());
  r.match(
    "invocation_result_qualifier_v1_arn",
    await r.ok(r.lambda.send(new InvokeCommand({ FunctionName: alias.AliasArn as string, Payload: empty }))),
  );
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
  r.match("invocation_result_qualifier_v1_after_update", await invokeAlias());
  const second = await r.ok(
    r.lambda.send(
      new PublishVersionCommand({ FunctionName: name, Description: "Second version description :)" }),
    ),
  );
  r.match("second_publish_response", second);
  await r.waitUpdated(name, second.Version as string);
  r.match("invocation_result_qualifier_v1_after_publish", await invokeAlias());
  r.match(
    "update_alias_response",
    await r.ok(
      r.lambda.send(
        new UpdateAliasCommand({
          FunctionName: name,
          Name: aliasName,
          FunctionVersion: second.Version as string,
        }),
      ),
    ),
  );
  // The test retries until the alias has moved; Jeff moves it with the update.
  let moved = await invokeAlias();
  await until(async () => {
    if (moved.ExecutedVersion === "2") return true;
    moved = await invokeAlias();
    return moved.ExecutedVersion === "2";
  }, "the alias to move to version 2");
  r.match("invocation_result_qualifier_v2", moved);
  r.match(
    "invocation_exc_not_existent",
    await r.fails(
      r.lambda.send(
        new InvokeCommand({ FunctionName: name, Qualifier: "non-existent-alias", Payload: empty }),
      ),
    ),
  );
}

async function aliasRoutingConfig(r: Replay) {
  testLambdaFixture(r);
  const name = `fn-${shortUid()}`;
  const created = await r.createFunctionAws({
    FunctionName: name,
    Handler: "handler.handler",
    Code: { ZipFile: zip({ "handler.py": versionSource("version1") }) },
    PackageType: "Zip",
    Role: r.role,
    Runtime: "python3.12",
    Description: "First version :)",
    Publish: true,
  });
  await r.waitUpdated(name);
  await r.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: name,
      ZipFile: zip({ "handler.py": versionSource("version2") }),
    }),
  );
  await r.waitUpdated(name);
  const second = await r.lambda.send(
    new PublishVersionCommand({ FunctionName: name, Description: "Second version description :)" }),
  );
  await r.waitUpdated(name, second.Version);
  const alias = await r.ok(
    r.lambda.send(
      new CreateAliasCommand({
        FunctionName: name,
        FunctionVersion: created.Version as string,
        Name: "alias1",
        RoutingConfig: { AdditionalVersionWeights: { [second.Version!]: 0.5 } },
      }),
    ),
  );
  r.match("create_alias_response", alias);
  const versionsHit = new Set<string>();
  for (let tries = 0; versionsHit.size < 2 && tries < 20; tries++) {
    const result = await r.lambda.send(
      new InvokeCommand({ FunctionName: name, Qualifier: alias.Name as string, Payload: empty }),
    );
    const payload = JSON.parse(Buffer.from(result.Payload ?? []).toString("utf8")) as {
      version_from_ctx: string;
    };
    versionsHit.add(payload.version_from_ctx);
  }
  if (versionsHit.size !== 2) throw new Error("did not hit both versions after 20 invocations");
}

export const cases: ReplayCase[] = [
  replayed("test_lambda", "TestLambdaAliases::test_lambda_alias_moving", aliasMoving),
  replayed("test_lambda", "TestLambdaAliases::test_alias_routingconfig", aliasRoutingConfig),
];
