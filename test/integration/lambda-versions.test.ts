// Versions and aliases through the real SDK and /usr/bin/aws: a published version keeps running
// its code, an alias moves (and splits traffic), qualifiers reach the function and the async queue.

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  type LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";
import { decode, failure, lambdaClientFor, startCollector, text } from "./lambda-helpers.js";
import { until } from "./until.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
let role: string;
let collector: Awaited<ReturnType<typeof startCollector<Report>>> | undefined;
let collectorUrl: string;
/** What functions post to the collector: a run (which code and version) or a destination record. */
interface Report {
  id?: string;
  code?: string;
  version?: string;
  arn?: string;
  record?: {
    requestContext: { condition: string; approximateInvokeCount: number; functionArn: string };
    requestPayload: { id?: string };
    responseContext?: { executedVersion: string; functionError?: string };
  };
}
let reports: Report[] = [];

/** A handler that says which code it is and what Lambda told it about itself. */
const codeZip = (code: string) =>
  zipSync({
    "index.mjs": text(
      `export const handler = async (event, context) => {
  const seen = { code: ${JSON.stringify(code)}, version: context.functionVersion, env: process.env.AWS_LAMBDA_FUNCTION_VERSION, arn: context.invokedFunctionArn };
  if (event.report) await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ id: event.id, ...seen }) });
  if (event.fail) throw new Error("planned failure");
  return seen;
};`,
    ),
  });

const sinkZip = zipSync({
  "index.mjs": text(
    `export const handler = async (record) => {
  await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ record }) });
};`,
  ),
});

async function createFunction(name: string, code: string, extra: Record<string, unknown> = {}) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: role,
      Environment: { Variables: { COLLECTOR: collectorUrl } },
      Code: { ZipFile: codeZip(code) },
      ...extra,
    }),
  );
}

/** As a client of Lambda does between changes: waits until the last update is no longer InProgress. */
function updated(FunctionName: string) {
  return waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName });
}

async function invoke(FunctionName: string, Qualifier?: string, payload: object = {}) {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName,
      ...(Qualifier ? { Qualifier } : {}),
      Payload: text(JSON.stringify(payload)),
    }),
  );
  expect(out.FunctionError).toBeUndefined();
  return {
    executed: out.ExecutedVersion,
    ...(JSON.parse(decode(out.Payload)) as { code: string; version: string; env: string; arn: string }),
  };
}

beforeAll(async () => {
  collector = await startCollector<Report>();
  collectorUrl = collector.url;
  reports = collector.reports;
  // Retries wait a second, long enough for the test to move an alias between two attempts.
  jeff = await startJeff({ env: { JEFF_FUNCTION_RETRY_DELAY_MS: "1000", ...collector.jeffEnv } });
  lambda = lambdaClientFor(jeff);
  role = `arn:aws:iam::${jeff.accountId}:role/lambda-role`;
});
afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
});

describe("versions through the SDK", () => {
  it("publishes $LATEST as numbered versions that keep running their own code", async () => {
    const created = await createFunction("versioned", "one", { Description: "the function" });
    const arn = created.FunctionArn!;
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect(v1).toMatchObject({
      Version: "1",
      FunctionArn: `${arn}:1`,
      CodeSha256: created.CodeSha256,
      Description: "the function",
    });
    // Nothing changed since version 1: Lambda hands back version 1 rather than a copy.
    const again = await lambda.send(
      new PublishVersionCommand({ FunctionName: "versioned", Description: "ignored" }),
    );
    expect(again).toMatchObject({ Version: "1", Description: "the function" });

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "versioned", ZipFile: codeZip("two") }));
    // While the update is InProgress, Lambda publishes no version of it. (A hash that matches
    // nothing, so that if the moment has already ended, on a slow machine, nothing is published.)
    const early = await failure(
      lambda.send(new PublishVersionCommand({ FunctionName: "versioned", CodeSha256: "not-the-hash" })),
    );
    expect(["ResourceConflictException", "InvalidParameterValueException"]).toContain(early.name);
    await updated("versioned");
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: arn, Description: "second" }));
    expect(v2).toMatchObject({ Version: "2", Description: "second" });
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "versioned", ZipFile: codeZip("three") }),
    );
    await updated("versioned");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "versioned", Timeout: 9 }));
    await updated("versioned");

    expect(await invoke("versioned", "1")).toEqual({
      executed: "1",
      code: "one",
      version: "1",
      env: "1",
      arn: `${arn}:1`,
    });
    expect(await invoke("versioned:2")).toMatchObject({ executed: "2", code: "two", arn: `${arn}:2` });
    expect(await invoke("versioned")).toEqual({
      executed: "$LATEST",
      code: "three",
      version: "$LATEST",
      env: "$LATEST",
      arn,
    });
    expect(await invoke("versioned", "$LATEST")).toMatchObject({ code: "three", arn: `${arn}:$LATEST` });
    // The version still runs after $LATEST's environments moved on.
    expect(await invoke("versioned", "1")).toMatchObject({ code: "one" });

    const config1 = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "versioned", Qualifier: "1" }),
    );
    expect(config1).toMatchObject({
      Version: "1",
      FunctionArn: `${arn}:1`,
      Timeout: 3,
      CodeSha256: created.CodeSha256,
    });
    const latest = await lambda.send(new GetFunctionCommand({ FunctionName: "versioned" }));
    expect(latest.Configuration).toMatchObject({ Version: "$LATEST", FunctionArn: arn, Timeout: 9 });

    const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "versioned" }));
    expect(listed.Versions?.map((v) => [v.Version, v.FunctionArn])).toEqual([
      ["$LATEST", `${arn}:$LATEST`],
      ["1", `${arn}:1`],
      ["2", `${arn}:2`],
    ]);
    const page1 = await lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: "versioned", MaxItems: 2 }),
    );
    expect(page1.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
    const page2 = await lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: "versioned", MaxItems: 2, Marker: page1.NextMarker }),
    );
    expect(page2.Versions?.map((v) => v.Version)).toEqual(["2"]);
    expect(page2.NextMarker).toBeUndefined();
  });

  it("refuses a stale RevisionId or CodeSha256 and publishes nothing", async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "versioned" }));
    const sha = await failure(
      lambda.send(new PublishVersionCommand({ FunctionName: "versioned", CodeSha256: "not-the-hash" })),
    );
    expect(sha.name).toBe("InvalidParameterValueException");
    expect(sha.message).toContain("CodeSHA256 (not-the-hash)");
    const stale = await failure(
      lambda.send(new PublishVersionCommand({ FunctionName: "versioned", RevisionId: "00000000-stale" })),
    );
    expect(stale.name).toBe("PreconditionFailedException");
    expect(stale.$metadata.httpStatusCode).toBe(412);
    const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "versioned" }));
    expect(listed.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1", "2"]);

    const v3 = await lambda.send(
      new PublishVersionCommand({
        FunctionName: "versioned",
        CodeSha256: before.CodeSha256,
        RevisionId: before.RevisionId,
      }),
    );
    expect(v3.Version).toBe("3");

    for (const qualifier of ["9", "nope"]) {
      const missing = await failure(invoke("versioned", qualifier));
      expect(missing.name).toBe("ResourceNotFoundException");
      expect(missing.$metadata.httpStatusCode).toBe(404);
      expect(missing.message).toContain(`function:versioned:${qualifier}`);
    }
    const mismatch = await failure(
      lambda.send(new GetFunctionCommand({ FunctionName: "versioned:1", Qualifier: "2" })),
    );
    expect(mismatch.name).toBe("InvalidParameterValueException");
  });

  it("publishes on CreateFunction and UpdateFunctionCode with Publish: true", async () => {
    const created = await createFunction("published", "first", { Publish: true });
    expect(created).toMatchObject({ Version: "1", FunctionArn: expect.stringMatching(/:published:1$/) });
    const updated = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "published", ZipFile: codeZip("second"), Publish: true }),
    );
    expect(updated.Version).toBe("2");
    expect(await invoke("published", "1")).toMatchObject({ code: "first" });
    expect(await invoke("published", "2")).toMatchObject({ code: "second" });
  });
});

describe("aliases through the SDK", () => {
  it("points an alias at a version, moves it, and splits traffic by weight", async () => {
    const arn = (await lambda.send(new GetFunctionCommand({ FunctionName: "versioned" }))).Configuration!
      .FunctionArn!;
    const live = await lambda.send(
      new CreateAliasCommand({
        FunctionName: "versioned",
        Name: "live",
        FunctionVersion: "1",
        Description: "prod",
      }),
    );
    expect(live.$metadata.httpStatusCode).toBe(201);
    expect(live).toMatchObject({
      AliasArn: `${arn}:live`,
      Name: "live",
      FunctionVersion: "1",
      Description: "prod",
    });
    expect(live.RevisionId).toBeTruthy();
    expect(await invoke("versioned", "live")).toMatchObject({
      executed: "1",
      code: "one",
      arn: `${arn}:live`,
    });
    const viaArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${arn}:live` }));
    expect(viaArn).toMatchObject({ Version: "1", FunctionArn: `${arn}:live` });

    const stale = await failure(
      lambda.send(
        new UpdateAliasCommand({
          FunctionName: "versioned",
          Name: "live",
          FunctionVersion: "2",
          RevisionId: "stale",
        }),
      ),
    );
    expect(stale.name).toBe("PreconditionFailedException");
    expect(await invoke("versioned", "live")).toMatchObject({ code: "one" });
    const moved = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: "versioned",
        Name: "live",
        FunctionVersion: "2",
        RevisionId: live.RevisionId,
      }),
    );
    expect(moved).toMatchObject({ FunctionVersion: "2", Description: "prod" });
    expect(moved.RevisionId).not.toBe(live.RevisionId);
    expect(await invoke("versioned", "live")).toMatchObject({ executed: "2", code: "two" });

    const split = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: "versioned",
        Name: "live",
        FunctionVersion: "1",
        RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } },
      }),
    );
    expect(split.RoutingConfig).toEqual({ AdditionalVersionWeights: { "2": 0.5 } });
    const seen = new Set<string>();
    for (let i = 0; i < 24 && seen.size < 2; i++) {
      const out = await invoke("versioned", "live");
      expect(out.executed).toBe(out.version);
      seen.add(`${out.executed}:${out.code}`);
    }
    expect([...seen].sort()).toEqual(["1:one", "2:two"]);

    const got = await lambda.send(new GetAliasCommand({ FunctionName: "versioned", Name: "live" }));
    expect(got).toMatchObject({
      FunctionVersion: "1",
      RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } },
    });
  });

  it("lists aliases with a version filter and pages", async () => {
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "versioned", Name: "beta", FunctionVersion: "2" }),
    );
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "versioned", Name: "edge", FunctionVersion: "$LATEST" }),
    );
    const all = await lambda.send(new ListAliasesCommand({ FunctionName: "versioned" }));
    expect(all.Aliases?.map((a) => a.Name)).toEqual(["beta", "edge", "live"]);
    const onTwo = await lambda.send(
      new ListAliasesCommand({ FunctionName: "versioned", FunctionVersion: "2" }),
    );
    expect(onTwo.Aliases?.map((a) => a.Name)).toEqual(["beta"]);
    const page1 = await lambda.send(new ListAliasesCommand({ FunctionName: "versioned", MaxItems: 2 }));
    expect(page1.Aliases?.map((a) => a.Name)).toEqual(["beta", "edge"]);
    const page2 = await lambda.send(
      new ListAliasesCommand({ FunctionName: "versioned", MaxItems: 2, Marker: page1.NextMarker }),
    );
    expect(page2.Aliases?.map((a) => a.Name)).toEqual(["live"]);
    expect(await invoke("versioned", "edge")).toMatchObject({ executed: "$LATEST", code: "three" });
  });

  it("refuses what Lambda refuses, naming the field, and changes nothing", async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ Name: "42", FunctionVersion: "1" }, "ValidationException", "'name'"],
      [{ Name: "$LATEST", FunctionVersion: "1" }, "ValidationException", "'name'"],
      [{ Name: "ok", FunctionVersion: "one" }, "ValidationException", "'functionVersion'"],
      [{ Name: "ok", FunctionVersion: "77" }, "ResourceNotFoundException", "function:versioned:77"],
      [{ Name: "live", FunctionVersion: "1" }, "ResourceConflictException", "Alias already exists"],
      [
        { Name: "ok", FunctionVersion: "$LATEST", RoutingConfig: { AdditionalVersionWeights: { "1": 0.1 } } },
        "InvalidParameterValueException",
        "$LATEST is not supported",
      ],
      [
        {
          Name: "ok",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "2": 0.1, "3": 0.1 } },
        },
        "InvalidParameterValueException",
        "AdditionalVersionWeights",
      ],
      [
        { Name: "ok", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 1.5 } } },
        "ValidationException",
        "routingConfig.additionalVersionWeights",
      ],
      [
        { Name: "ok", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "88": 0.1 } } },
        "ResourceNotFoundException",
        "function:versioned:88",
      ],
    ];
    for (const [input, code, mention] of cases) {
      const error = await failure(
        lambda.send(new CreateAliasCommand({ FunctionName: "versioned", ...input } as never)),
      );
      expect(error.name, JSON.stringify(input)).toBe(code);
      expect(error.message).toContain(mention);
    }
    const missing = await failure(
      lambda.send(new GetAliasCommand({ FunctionName: "versioned", Name: "ok" })),
    );
    expect(missing.name).toBe("ResourceNotFoundException");
    expect(missing.message).toContain("function:versioned:ok");
    const noUpdate = await failure(
      lambda.send(new UpdateAliasCommand({ FunctionName: "versioned", Name: "ok", FunctionVersion: "1" })),
    );
    expect(noUpdate.name).toBe("ResourceNotFoundException");
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: "versioned" }));
    expect(aliases.Aliases?.map((a) => a.Name)).toEqual(["beta", "edge", "live"]);
  });

  it("deletes a version only when no alias uses it, and a function with everything it has", async () => {
    const inUse = await failure(
      lambda.send(new DeleteFunctionCommand({ FunctionName: "versioned", Qualifier: "2" })),
    );
    expect(inUse.name).toBe("ResourceConflictException");
    expect(inUse.$metadata.httpStatusCode).toBe(409);
    expect(inUse.message).toBe(
      "Unable to delete version because the following aliases reference it: [beta, live]",
    );
    for (const qualifier of ["$LATEST", "live"]) {
      const refused = await failure(
        lambda.send(new DeleteFunctionCommand({ FunctionName: "versioned", Qualifier: qualifier })),
      );
      expect(refused.name).toBe("InvalidParameterValueException");
    }
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "versioned", Qualifier: "3" }));
    // Deleting a version that is not there (any more, or ever) succeeds, as on Lambda.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "versioned", Qualifier: "3" }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "versioned", Qualifier: "1233" }));
    await lambda.send(new DeleteAliasCommand({ FunctionName: "versioned", Name: "beta" }));
    // Deleting an alias that is not there succeeds, as on Lambda.
    await lambda.send(new DeleteAliasCommand({ FunctionName: "versioned", Name: "beta" }));
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "versioned" }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1", "2"]);
    const gone = await failure(invoke("versioned", "3"));
    expect(gone.name).toBe("ResourceNotFoundException");
    // A deleted version's number is not given out again.
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "versioned", ZipFile: codeZip("four") }));
    await updated("versioned");
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: "versioned" }))).Version).toBe("4");

    await lambda.send(new DeleteFunctionCommand({ FunctionName: "versioned" }));
    // Once the function is gone, its versions are not found either.
    const noVersion = await failure(
      lambda.send(new DeleteFunctionCommand({ FunctionName: "versioned", Qualifier: "1233" })),
    );
    expect(noVersion.name).toBe("ResourceNotFoundException");
    const noFunction = await failure(
      lambda.send(new GetAliasCommand({ FunctionName: "versioned", Name: "live" })),
    );
    expect(noFunction.name).toBe("ResourceNotFoundException");
    // A function created again under the name starts from version 1 with no aliases.
    const again = await createFunction("versioned", "reborn", { Publish: true });
    expect(again.Version).toBe("1");
    expect((await lambda.send(new ListAliasesCommand({ FunctionName: "versioned" }))).Aliases).toEqual([]);
    expect(await invoke("versioned", "1")).toMatchObject({ code: "reborn" });
  });
});

describe("asynchronous invocation of a qualifier", () => {
  it("runs every attempt of an event on the version its alias chose, with the alias's own configuration", async () => {
    await createFunction("async-fn", "old");
    await lambda.send(new PublishVersionCommand({ FunctionName: "async-fn" }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "async-fn", ZipFile: codeZip("new") }));
    await updated("async-fn");
    await lambda.send(new PublishVersionCommand({ FunctionName: "async-fn" }));
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "async-fn", Name: "prod", FunctionVersion: "1" }),
    );
    const sink = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "async-sink",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: role,
        Environment: { Variables: { COLLECTOR: collectorUrl } },
        Code: { ZipFile: sinkZip },
      }),
    );
    const config = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "async-fn",
        Qualifier: "prod",
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: sink.FunctionArn } },
      }),
    );
    expect(config.FunctionArn).toMatch(/function:async-fn:prod$/);
    const unqualified = await failure(
      lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "async-fn" })),
    );
    expect(unqualified.name).toBe("ResourceNotFoundException");

    const accepted = await lambda.send(
      new InvokeCommand({
        FunctionName: "async-fn",
        Qualifier: "prod",
        InvocationType: "Event",
        Payload: text(JSON.stringify({ id: "evt-1", report: true, fail: true })),
      }),
    );
    expect(accepted.StatusCode).toBe(202);
    await until(() => reports.some((r) => r.id === "evt-1"), "the first attempt");
    // The alias moves between the attempts; the retry still runs the version the event started on.
    await lambda.send(
      new UpdateAliasCommand({ FunctionName: "async-fn", Name: "prod", FunctionVersion: "2" }),
    );
    await until(() => reports.some((r) => r.record?.requestPayload?.id === "evt-1"), "the failure record");
    const runs = reports.filter((r) => r.id === "evt-1");
    expect(runs.map((r) => [r.code, r.version])).toEqual([
      ["old", "1"],
      ["old", "1"],
    ]);
    expect(reports.find((r) => r.id === "evt-1")).toMatchObject({
      arn: expect.stringMatching(/:async-fn:prod$/),
    });
    const record = reports.find((r) => r.record?.requestPayload?.id === "evt-1")!.record!;
    expect(record.requestContext).toMatchObject({
      condition: "RetriesExhausted",
      approximateInvokeCount: 2,
      functionArn: expect.stringMatching(/function:async-fn:prod$/),
    });
    expect(record.responseContext).toMatchObject({ executedVersion: "1", functionError: "Unhandled" });
  });
});

describe("versions and aliases through /usr/bin/aws", () => {
  it("publishes, lists, aliases and invokes by qualifier", async () => {
    const env = jeff.awsEnv();
    const zipPath = join(jeff.dataDir, "cli.zip");
    await writeFile(zipPath, codeZip("cli-one"));
    const cli = async (args: string[]) => {
      const result = await aws(["lambda", ...args, "--output", "json"], env);
      expect(result.stderr, args.join(" ")).toBe("");
      return JSON.parse(result.stdout || "{}") as Record<string, unknown>;
    };
    await cli([
      "create-function",
      "--function-name",
      "cli-versioned",
      "--runtime",
      "nodejs20.x",
      "--handler",
      "index.handler",
      "--role",
      role,
      "--zip-file",
      `fileb://${zipPath}`,
    ]);
    const published = await cli([
      "publish-version",
      "--function-name",
      "cli-versioned",
      "--description",
      "first",
    ]);
    expect(published).toMatchObject({ Version: "1", Description: "first" });
    await writeFile(zipPath, codeZip("cli-two"));
    await cli([
      "update-function-code",
      "--function-name",
      "cli-versioned",
      "--zip-file",
      `fileb://${zipPath}`,
    ]);
    await cli(["wait", "function-updated-v2", "--function-name", "cli-versioned"]);
    const listed = await cli(["list-versions-by-function", "--function-name", "cli-versioned"]);
    expect((listed.Versions as Array<{ Version: string }>).map((v) => v.Version)).toEqual(["$LATEST", "1"]);
    const alias = await cli([
      "create-alias",
      "--function-name",
      "cli-versioned",
      "--name",
      "stable",
      "--function-version",
      "1",
    ]);
    expect(alias).toMatchObject({
      Name: "stable",
      FunctionVersion: "1",
      AliasArn: expect.stringMatching(/:cli-versioned:stable$/),
    });

    const outFile = join(jeff.dataDir, "cli-out.json");
    const meta = await cli(["invoke", "--function-name", "cli-versioned", "--qualifier", "stable", outFile]);
    expect(meta).toMatchObject({ StatusCode: 200, ExecutedVersion: "1" });
    expect(JSON.parse(await readFile(outFile, "utf8"))).toMatchObject({ code: "cli-one", version: "1" });
    const latest = await cli(["invoke", "--function-name", "cli-versioned", outFile]);
    expect(latest.ExecutedVersion).toBe("$LATEST");
    expect(JSON.parse(await readFile(outFile, "utf8"))).toMatchObject({ code: "cli-two" });

    const refused = await aws(
      [
        "lambda",
        "create-alias",
        "--function-name",
        "cli-versioned",
        "--name",
        "7",
        "--function-version",
        "1",
      ],
      env,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("(ValidationException)");
  });
});
