// ListFunctions with FunctionVersion=ALL, Update/ListFunctionEventInvokeConfig(s), and destination
// records delivered to a version or alias, through the real SDK and /usr/bin/aws.

import {
  CreateAliasCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  type LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";
import {
  createNodeFunction,
  failure,
  isSandboxed,
  lambdaClientFor,
  startCollector,
  text,
} from "./lambda-helpers.js";
import { until } from "./until.js";

/** What the sink function posts: the destination record, and which code and qualifier got it. */
interface Report {
  code: string;
  version: string;
  arn: string;
  record: {
    requestContext: { condition: string; functionArn: string };
    requestPayload: { id: string };
  };
}

let jeff: JeffProcess;
let lambda: LambdaClient;
let collector: Awaited<ReturnType<typeof startCollector<Report>>>;
let arnPrefix: string;

beforeAll(async () => {
  collector = await startCollector<Report>();
  jeff = await startJeff({ env: collector.jeffEnv });
  lambda = lambdaClientFor(jeff);
  arnPrefix = `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:`;
});
afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
});

const cli = async (args: string[]) => {
  const result = await aws(["lambda", ...args, "--output", "json"], jeff.awsEnv());
  expect(result.stderr, args.join(" ")).toBe("");
  return JSON.parse(result.stdout || "{}") as Record<string, unknown>;
};

/** A response without its `$metadata` (request ids differ from call to call). */
const withoutMetadata = ({ $metadata: _, ...rest }: { $metadata: unknown }) => rest;

/** Name, Version and FunctionArn of each entry, the three things ALL is about. */
const entriesOf = (functions: FunctionConfiguration[] | undefined) =>
  (functions ?? []).map((f) => [f.FunctionName, f.Version, f.FunctionArn]);

describe("ListFunctions with FunctionVersion=ALL", () => {
  // Runs first, while these are the only functions, so the listing can be compared whole.
  let everything: Array<[string, string, string]>;

  beforeAll(async () => {
    const source = 'export const handler = async () => "hi";';
    await createNodeFunction(lambda, jeff.accountId, "list-a", source, { Description: "first" });
    await lambda.send(new PublishVersionCommand({ FunctionName: "list-a" }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "list-a", Timeout: 7 }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: "list-a" });
    await lambda.send(new PublishVersionCommand({ FunctionName: "list-a", Description: "second" }));
    await createNodeFunction(lambda, jeff.accountId, "list-b", source);
    await createNodeFunction(lambda, jeff.accountId, "list-c", source, { Publish: true });
    everything = [
      ["list-a", "$LATEST", `${arnPrefix}list-a:$LATEST`],
      ["list-a", "1", `${arnPrefix}list-a:1`],
      ["list-a", "2", `${arnPrefix}list-a:2`],
      ["list-b", "$LATEST", `${arnPrefix}list-b:$LATEST`],
      ["list-c", "$LATEST", `${arnPrefix}list-c:$LATEST`],
      ["list-c", "1", `${arnPrefix}list-c:1`],
    ];
  });

  it("lists every function's $LATEST and published versions under their qualified ARNs", async () => {
    const all = await lambda.send(new ListFunctionsCommand({ FunctionVersion: "ALL" }));
    expect(entriesOf(all.Functions)).toEqual(everything);
    expect(all.NextMarker).toBeUndefined();
    // Each version is its own configuration, not $LATEST's under another name.
    const [latestA, a1, a2] = all.Functions!;
    expect(latestA).toMatchObject({ Timeout: 7, Description: "first" });
    expect(a1).toMatchObject({ Timeout: 3, Description: "first" });
    expect(a2).toMatchObject({ Timeout: 7, Description: "second" });

    // Without FunctionVersion: one entry per function, unqualified, as before.
    const plain = await lambda.send(new ListFunctionsCommand({}));
    expect(entriesOf(plain.Functions)).toEqual([
      ["list-a", "$LATEST", `${arnPrefix}list-a`],
      ["list-b", "$LATEST", `${arnPrefix}list-b`],
      ["list-c", "$LATEST", `${arnPrefix}list-c`],
    ]);
  });

  it("pages with MaxItems and Marker, also in the middle of a function's versions", async () => {
    for (const maxItems of [1, 2, 4]) {
      const seen: Array<[string, string, string]> = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const page = await lambda.send(
          new ListFunctionsCommand({ FunctionVersion: "ALL", MaxItems: maxItems, Marker: marker }),
        );
        expect(page.Functions!.length).toBeLessThanOrEqual(maxItems);
        seen.push(...(entriesOf(page.Functions) as Array<[string, string, string]>));
        marker = page.NextMarker;
        pages++;
      } while (marker !== undefined && pages < 20);
      expect(seen, `MaxItems ${maxItems}`).toEqual(everything);
      expect(pages).toBe(Math.ceil(everything.length / maxItems));
    }
    const first = await lambda.send(new ListFunctionsCommand({ FunctionVersion: "ALL", MaxItems: 2 }));
    const second = await lambda.send(
      new ListFunctionsCommand({ FunctionVersion: "ALL", MaxItems: 2, Marker: first.NextMarker }),
    );
    expect(entriesOf(second.Functions)).toEqual(everything.slice(2, 4));
  });

  it("refuses any other FunctionVersion, naming the field", async () => {
    for (const value of ["LATEST", "all", "1"]) {
      const error = await failure(lambda.send(new ListFunctionsCommand({ FunctionVersion: value as "ALL" })));
      expect(error.name, value).toBe("ValidationException");
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain(`Value '${value}' at 'functionVersion'`);
      expect(error.message).toContain("[ALL]");
    }
    const badMarker = await failure(
      lambda.send(
        new ListFunctionsCommand({
          FunctionVersion: "ALL",
          Marker: Buffer.from("jeff-page:list-a:one").toString("base64url"),
        }),
      ),
    );
    expect(badMarker.name).toBe("InvalidParameterValueException");
    expect(badMarker.message).toContain("Marker");
    // Garbage, and a name where a marker belongs, are refused too, not read as a position.
    for (const Marker of ["not a marker!", "garbage", Buffer.from("list-a").toString("base64url")]) {
      const refused = await failure(lambda.send(new ListFunctionsCommand({ Marker })));
      expect(refused.name, Marker).toBe("InvalidParameterValueException");
      expect(refused.$metadata.httpStatusCode).toBe(400);
    }
  });

  it("works through /usr/bin/aws, which follows NextMarker itself", async () => {
    const listed = await cli(["list-functions", "--function-version", "ALL", "--page-size", "2"]);
    expect(entriesOf(listed.Functions as FunctionConfiguration[])).toEqual(everything);
    const refused = await aws(["lambda", "list-functions", "--function-version", "LATEST"], jeff.awsEnv());
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("(ValidationException)");
    expect(refused.stderr).toContain("functionVersion");
  });
});

describe("UpdateFunctionEventInvokeConfig and ListFunctionEventInvokeConfigs", () => {
  let sink: string;

  beforeAll(async () => {
    const source = 'export const handler = async () => "ok";';
    await createNodeFunction(lambda, jeff.accountId, "cfg-fn", source, { Publish: true });
    await lambda.send(new CreateAliasCommand({ FunctionName: "cfg-fn", Name: "live", FunctionVersion: "1" }));
    sink = (await createNodeFunction(lambda, jeff.accountId, "cfg-sink", source)).FunctionArn!;
  });

  const current = (Qualifier?: string) =>
    lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "cfg-fn", Qualifier }));

  it("refuses to update a configuration that does not exist, and creates none", async () => {
    const missing = await failure(
      lambda.send(
        new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "cfg-fn", MaximumRetryAttempts: 1 }),
      ),
    );
    expect(missing.name).toBe("ResourceNotFoundException");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(missing.message).toBe(`The function ${arnPrefix}cfg-fn:$LATEST doesn't have an EventInvokeConfig`);
    expect((await failure(current())).name).toBe("ResourceNotFoundException");
    const noVersion = await failure(
      lambda.send(
        new UpdateFunctionEventInvokeConfigCommand({
          FunctionName: "cfg-fn",
          Qualifier: "9",
          MaximumRetryAttempts: 1,
        }),
      ),
    );
    expect(noVersion.name).toBe("ResourceNotFoundException");
    expect(noVersion.message).toContain("cfg-fn:9");
  });

  it("merges the given fields into the configuration and leaves the rest", async () => {
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "cfg-fn",
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnSuccess: { Destination: sink } },
      }),
    );
    const age = await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "cfg-fn", MaximumEventAgeInSeconds: 120 }),
    );
    expect(age).toMatchObject({
      FunctionArn: `${arnPrefix}cfg-fn:$LATEST`,
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: { Destination: sink } },
    });
    const failureDestination = await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({
        FunctionName: "cfg-fn",
        DestinationConfig: { OnFailure: { Destination: `${sink}:$LATEST` } },
      }),
    );
    expect(failureDestination.DestinationConfig).toEqual({
      OnSuccess: { Destination: sink },
      OnFailure: { Destination: `${sink}:$LATEST` },
    });
    expect(await current()).toMatchObject({
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: failureDestination.DestinationConfig,
    });
    // A member given without a Destination clears that one destination.
    const cleared = await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({
        FunctionName: "cfg-fn",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnSuccess: {} },
      }),
    );
    expect(cleared).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: `${sink}:$LATEST` } },
    });
  });

  it("refuses bad values, naming the field, and changes nothing", async () => {
    const before = await current();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ MaximumRetryAttempts: 3 }, "ValidationException", "'maximumRetryAttempts'"],
      [{ MaximumEventAgeInSeconds: 59 }, "ValidationException", "'maximumEventAgeInSeconds'"],
      [
        {
          MaximumRetryAttempts: 0,
          DestinationConfig: { OnSuccess: { Destination: "arn:aws:sqs:us-east-1:123456789012:q" } },
        },
        "InvalidParameterValueException",
        "arn:aws:sqs:us-east-1:123456789012:q",
      ],
      [
        {
          DestinationConfig: {
            OnFailure: { Destination: `arn:aws:lambda:${jeff.region}:000000000000:function:cfg-sink` },
          },
        },
        "InvalidParameterValueException",
        `arn:aws:lambda:${jeff.region}:000000000000:function:cfg-sink`,
      ],
      [
        {
          DestinationConfig: {
            OnFailure: { Destination: `arn:aws:lambda:eu-north-9:${jeff.accountId}:function:cfg-sink` },
          },
        },
        "InvalidParameterValueException",
        "DestinationConfig.OnFailure",
      ],
    ];
    for (const [input, code, mention] of cases) {
      const error = await failure(
        lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "cfg-fn", ...input })),
      );
      expect(error.name, JSON.stringify(input)).toBe(code);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain(mention);
    }
    expect(withoutMetadata(await current())).toEqual(withoutMetadata(before));
  });

  it("lists one configuration per qualifier, paged", async () => {
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "cfg-fn",
        Qualifier: "1",
        MaximumRetryAttempts: 2,
      }),
    );
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: `${arnPrefix}cfg-fn:live`,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: `${sink}` } },
      }),
    );
    const all = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg-fn" }));
    expect(
      all.FunctionEventInvokeConfigs?.map((c) => [
        c.FunctionArn,
        c.MaximumRetryAttempts,
        c.MaximumEventAgeInSeconds,
      ]),
    ).toEqual([
      [`${arnPrefix}cfg-fn:$LATEST`, 0, 120],
      // What a Put leaves out is unset, and answered without (invocations use Lambda's default).
      [`${arnPrefix}cfg-fn:1`, 2, undefined],
      [`${arnPrefix}cfg-fn:live`, undefined, 60],
    ]);
    expect(all.FunctionEventInvokeConfigs?.[2]?.DestinationConfig?.OnFailure?.Destination).toBe(sink);
    expect(all.NextMarker).toBeUndefined();

    const first = await lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg-fn", MaxItems: 2 }),
    );
    expect(first.FunctionEventInvokeConfigs).toHaveLength(2);
    const second = await lambda.send(
      new ListFunctionEventInvokeConfigsCommand({
        FunctionName: "cfg-fn",
        MaxItems: 2,
        Marker: first.NextMarker,
      }),
    );
    expect(second.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn)).toEqual([`${arnPrefix}cfg-fn:live`]);
    expect(second.NextMarker).toBeUndefined();

    const tooMany = await failure(
      lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg-fn", MaxItems: 51 })),
    );
    expect(tooMany.name).toBe("ValidationException");
    expect(tooMany.message).toContain("'maxItems'");
    const noFunction = await failure(
      lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg-nope" })),
    );
    expect(noFunction.name).toBe("ResourceNotFoundException");
    expect(noFunction.message).toContain(`${arnPrefix}cfg-nope`);
    const none = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg-sink" }));
    expect(none.FunctionEventInvokeConfigs).toEqual([]);
  });

  it("works through /usr/bin/aws", async () => {
    const updated = await cli([
      "update-function-event-invoke-config",
      "--function-name",
      "cfg-fn",
      "--qualifier",
      "live",
      "--maximum-retry-attempts",
      "1",
    ]);
    expect(updated).toMatchObject({
      FunctionArn: `${arnPrefix}cfg-fn:live`,
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: sink } },
    });
    const listed = await cli(["list-function-event-invoke-configs", "--function-name", "cfg-fn"]);
    expect(
      (listed.FunctionEventInvokeConfigs as Array<{ FunctionArn: string; MaximumRetryAttempts: number }>).map(
        (c) => [c.FunctionArn, c.MaximumRetryAttempts],
      ),
    ).toEqual([
      [`${arnPrefix}cfg-fn:$LATEST`, 0],
      [`${arnPrefix}cfg-fn:1`, 2],
      [`${arnPrefix}cfg-fn:live`, 1],
    ]);
    const paged = await cli([
      "list-function-event-invoke-configs",
      "--function-name",
      "cfg-fn",
      "--page-size",
      "1",
    ]);
    expect((paged.FunctionEventInvokeConfigs as unknown[]).length).toBe(3);
    const missing = await aws(
      [
        "lambda",
        "update-function-event-invoke-config",
        "--function-name",
        "cfg-sink",
        "--maximum-retry-attempts",
        "1",
      ],
      jeff.awsEnv(),
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("(ResourceNotFoundException)");
    expect(missing.stderr).toContain("cfg-sink:$LATEST");
  });
});

describe("destinations with a version or alias", () => {
  const sinkZip = (code: string) =>
    zipSync({
      "index.mjs": text(
        `export const handler = async (record, context) => {
  await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ code: ${JSON.stringify(code)}, version: context.functionVersion, arn: context.invokedFunctionArn, record }) });
};`,
      ),
    });
  const reportOf = (id: string) => collector.reports.find((r) => r.record.requestPayload.id === id);
  const sendEvent = (payload: object) =>
    lambda.send(
      new InvokeCommand({
        FunctionName: "dest-src",
        InvocationType: "Event",
        Payload: text(JSON.stringify(payload)),
      }),
    );

  beforeAll(async () => {
    await createNodeFunction(
      lambda,
      jeff.accountId,
      "dest-src",
      'export const handler = async (event) => { if (event.fail) throw new Error("planned"); return event.id; };',
    );
    await createNodeFunction(lambda, jeff.accountId, "dest-sink", "", {
      Environment: { Variables: { COLLECTOR: collector.url } },
      Code: { ZipFile: sinkZip("one") },
      Publish: true,
    });
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "dest-sink", ZipFile: sinkZip("latest") }),
    );
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "dest-sink", Name: "stable", FunctionVersion: "1" }),
    );
  });

  it("delivers OnSuccess to a version and OnFailure to an alias", async () => {
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "dest-src",
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          OnSuccess: { Destination: `${arnPrefix}dest-sink:1` },
          OnFailure: { Destination: `${arnPrefix}dest-sink:stable` },
        },
      }),
    );
    expect(put.DestinationConfig).toEqual({
      OnSuccess: { Destination: `${arnPrefix}dest-sink:1` },
      OnFailure: { Destination: `${arnPrefix}dest-sink:stable` },
    });
    await sendEvent({ id: "to-version" });
    await sendEvent({ id: "to-alias", fail: true });
    await until(
      () => reportOf("to-version") !== undefined && reportOf("to-alias") !== undefined,
      "both records",
    );
    expect(reportOf("to-version")).toMatchObject({
      code: "one",
      version: "1",
      arn: `${arnPrefix}dest-sink:1`,
      record: { requestContext: { condition: "Success", functionArn: `${arnPrefix}dest-src:$LATEST` } },
    });
    expect(reportOf("to-alias")).toMatchObject({
      code: "one",
      version: "1",
      arn: `${arnPrefix}dest-sink:stable`,
      record: { requestContext: { condition: "RetriesExhausted" } },
    });
  });

  it("delivers to $LATEST when the ARN says so, and to plain $LATEST unqualified", async () => {
    await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({
        FunctionName: "dest-src",
        DestinationConfig: {
          OnSuccess: { Destination: `${arnPrefix}dest-sink:$LATEST` },
          OnFailure: { Destination: `${arnPrefix}dest-sink` },
        },
      }),
    );
    await sendEvent({ id: "to-latest" });
    await sendEvent({ id: "to-unqualified", fail: true });
    await until(
      () => reportOf("to-latest") !== undefined && reportOf("to-unqualified") !== undefined,
      "both records",
    );
    expect(reportOf("to-latest")).toMatchObject({
      code: "latest",
      version: "$LATEST",
      arn: `${arnPrefix}dest-sink:$LATEST`,
    });
    expect(reportOf("to-unqualified")).toMatchObject({
      code: "latest",
      version: "$LATEST",
      arn: `${arnPrefix}dest-sink`,
    });
  });

  it("refuses a destination in another account or region, or not a function, and changes nothing", async () => {
    const before = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "dest-src" }));
    for (const destination of [
      `arn:aws:lambda:${jeff.region}:000000000000:function:dest-sink:1`,
      `arn:aws:lambda:eu-north-9:${jeff.accountId}:function:dest-sink:stable`,
      `arn:aws:sqs:${jeff.region}:${jeff.accountId}:queue`,
      `${arnPrefix}dest-sink:not.a.qualifier`,
      `${arnPrefix}dest-sink:1:2`,
    ]) {
      const error = await failure(
        lambda.send(
          new PutFunctionEventInvokeConfigCommand({
            FunctionName: "dest-src",
            DestinationConfig: { OnSuccess: { Destination: destination } },
          }),
        ),
      );
      expect(error.name, destination).toBe("InvalidParameterValueException");
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain(destination);
      expect(error.message).toContain("DestinationConfig.OnSuccess");
    }
    const after = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "dest-src" }));
    expect(withoutMetadata(after)).toEqual(withoutMetadata(before));
  });
});

describe("function ARNs of another Region or account", () => {
  it("refuses them as Lambda does, and never acts on the local function of that name", async () => {
    const source = 'export const handler = async () => "mine";';
    await createNodeFunction(lambda, jeff.accountId, "scoped", source);
    const elsewhere = jeff.region === "eu-central-1" ? "eu-west-1" : "eu-central-1";
    const otherRegion = `arn:aws:lambda:${elsewhere}:${jeff.accountId}:function:scoped`;
    for (const call of [
      () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: otherRegion })),
      () => lambda.send(new DeleteFunctionCommand({ FunctionName: otherRegion })),
      () => lambda.send(new InvokeCommand({ FunctionName: otherRegion })),
    ]) {
      const error = await failure(call());
      expect(error.name).toBe("ResourceNotFoundException");
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.message).toBe(
        `Functions from '${elsewhere}' are not reachable in this region ('${jeff.region}')`,
      );
    }
    const stranger = jeff.accountId === "111111111111" ? "222222222222" : "111111111111";
    for (const name of [
      `arn:aws:lambda:${jeff.region}:${stranger}:function:scoped`,
      `${stranger}:function:scoped`,
    ]) {
      const error = await failure(lambda.send(new DeleteFunctionCommand({ FunctionName: name })));
      expect(error.name, name).toBe("AccessDeniedException");
      expect(error.$metadata.httpStatusCode).toBe(403);
      expect(error.message).toContain("is not authorized to perform: lambda:DeleteFunction on resource:");
    }
    // The local function is untouched, and its own ARN still reaches it.
    const own = `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:scoped`;
    const out = await lambda.send(new InvokeCommand({ FunctionName: own }));
    expect(new TextDecoder().decode(out.Payload)).toBe('"mine"');
  });
});

describe("settings Lambda returns as they were given", () => {
  it("keeps Architectures, TracingConfig, EphemeralStorage and LoggingConfig, and sizes /tmp as asked", async () => {
    const source = `import { statfsSync } from "node:fs";
export const handler = async () => { const s = statfsSync("/tmp"); return Math.round((s.blocks * s.bsize) / 1048576); };`;
    const created = await createNodeFunction(lambda, jeff.accountId, "kept", source, {
      Architectures: ["arm64"],
      TracingConfig: { Mode: "Active" },
      EphemeralStorage: { Size: 1024 },
      LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "WARN", SystemLogLevel: "INFO" },
    });
    const expected = {
      Architectures: ["arm64"],
      TracingConfig: { Mode: "Active" },
      EphemeralStorage: { Size: 1024 },
      LoggingConfig: {
        LogFormat: "JSON",
        ApplicationLogLevel: "WARN",
        SystemLogLevel: "INFO",
        LogGroup: "/aws/lambda/kept",
      },
    };
    expect(created).toMatchObject(expected);
    expect(await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "kept" }))).toMatchObject(
      expected,
    );

    // An update changes what it names and keeps the rest; a published version carries it all.
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "kept",
        EphemeralStorage: { Size: 2048 },
        LoggingConfig: { LogGroup: "/custom/kept" },
      }),
    );
    expect(updated).toMatchObject({
      ...expected,
      EphemeralStorage: { Size: 2048 },
      LoggingConfig: { ...expected.LoggingConfig, LogGroup: "/custom/kept" },
    });
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: "kept" });
    const version = await lambda.send(new PublishVersionCommand({ FunctionName: "kept" }));
    expect(version).toMatchObject({ Architectures: ["arm64"], EphemeralStorage: { Size: 2048 } });

    if (await isSandboxed(jeff)) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: "kept" }));
      expect(Number(new TextDecoder().decode(out.Payload))).toBe(2048);
    }

    // Out of Lambda's bounds: refused, naming the member, and nothing changes.
    const refused = await failure(
      lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: "kept", EphemeralStorage: { Size: 100 } }),
      ),
    );
    expect(refused.name).toBe("ValidationException");
    expect(refused.message).toContain("ephemeralStorage.size");
    expect(
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "kept" }))).EphemeralStorage,
    ).toEqual({ Size: 2048 });
  });

  it("answers Lambda's defaults for a function that set none", async () => {
    const plain = await createNodeFunction(
      lambda,
      jeff.accountId,
      "defaults",
      "export const handler = async () => 1;",
    );
    expect(plain).toMatchObject({
      Architectures: ["x86_64"],
      TracingConfig: { Mode: "PassThrough" },
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/defaults" },
    });
    expect(plain.LoggingConfig).not.toHaveProperty("ApplicationLogLevel");
  });
});
