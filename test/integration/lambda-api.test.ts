// The Lambda API for managing functions, through the real SDK and /usr/bin/aws.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
let role: string;

beforeAll(async () => {
  jeff = await startJeff();
  lambda = new LambdaClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
  });
  role = `arn:aws:iam::${jeff.accountId}:role/lambda-role`;
});
afterAll(async () => {
  await jeff?.stop();
});

const text = (s: string) => new TextEncoder().encode(s);
const handlerZip = (greeting: string) =>
  zipSync({
    "index.mjs": text(
      `export const handler = async (event) => ({ greeting: ${JSON.stringify(greeting)}, event });\n`,
    ),
  });

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode: number } };
  }
  throw new Error("expected the call to fail");
}

async function functionNames(): Promise<string[]> {
  return ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!);
}

describe("managing functions through the SDK", () => {
  it("creates, describes, updates and deletes a function", async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "hello",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: role,
        Code: { ZipFile: handlerZip("hi") },
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      FunctionName: "hello",
      FunctionArn: `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:hello`,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Timeout: 3,
      MemorySize: 128,
      Version: "$LATEST",
      // As Lambda answers a create: being created, no update status yet.
      State: "Pending",
      StateReason: "The function is being created.",
      StateReasonCode: "Creating",
      PackageType: "Zip",
    });
    expect(created.LastUpdateStatus).toBeUndefined();
    expect(created.LastModified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: created.FunctionArn }));
    expect(got.Configuration?.CodeSha256).toBe(created.CodeSha256);
    // Ready by the next read, so the CLI's waiter returns at once.
    expect(got.Configuration).toMatchObject({ State: "Active", LastUpdateStatus: "Successful" });
    expect(got.Configuration?.StateReason).toBeUndefined();
    const waited = await aws(
      ["lambda", "wait", "function-active-v2", "--function-name", "hello"],
      jeff.awsEnv(),
    );
    expect(waited.code).toBe(0);
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "hello" }));
    // Becoming Active is a revision of its own on Lambda: the create's RevisionId is already stale.
    expect(config.RevisionId).not.toBe(created.RevisionId);

    const newCode = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "hello", ZipFile: handlerZip("hello again") }),
    );
    expect(newCode.CodeSha256).not.toBe(created.CodeSha256);
    expect(newCode.RevisionId).not.toBe(created.RevisionId);
    expect(newCode).toMatchObject({
      State: "Active",
      LastUpdateStatus: "InProgress",
      LastUpdateStatusReason: "The function is being created.",
      LastUpdateStatusReasonCode: "Creating",
    });
    // As on Lambda, the update stays InProgress for a moment, refusing another change meanwhile;
    // clients wait for it as they do on AWS (the CLI's and the SDK's function-updated-v2 waiter).
    const during = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "hello" }));
    // (Unless the moment ended meanwhile, on a slow machine: then the change is taken.)
    const refused = await lambda
      .send(new UpdateFunctionConfigurationCommand({ FunctionName: "hello", Timeout: 3 }))
      .then(
        () => undefined,
        (error: Error & { $metadata: { httpStatusCode: number } }) => error,
      );
    if (refused !== undefined) {
      expect(during.LastUpdateStatus).toBe("InProgress");
      expect(refused.name).toBe("ResourceConflictException");
      expect(refused.$metadata.httpStatusCode).toBe(409);
      expect(refused.message).toBe(
        `The operation cannot be performed at this time. An update is in progress for resource: ${created.FunctionArn}`,
      );
    }
    const updatedWait = await aws(
      ["lambda", "wait", "function-updated-v2", "--function-name", "hello"],
      jeff.awsEnv(),
    );
    expect(updatedWait.code).toBe(0);
    expect(
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "hello" }))).LastUpdateStatus,
    ).toBe("Successful");

    const reconfigured = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "hello",
        Timeout: 10,
        MemorySize: 256,
        Environment: { Variables: { STAGE: "dev" } },
      }),
    );
    expect(reconfigured).toMatchObject({
      Timeout: 10,
      MemorySize: 256,
      Environment: { Variables: { STAGE: "dev" } },
      Handler: "index.handler",
    });
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: "hello" });

    const stale = await failure(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "hello",
          Timeout: 5,
          RevisionId: created.RevisionId,
        }),
      ),
    );
    expect(stale.name).toBe("PreconditionFailedException");
    expect(
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "hello" }))).LastUpdateStatus,
    ).toBe("Successful");
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "hello" }))).Timeout).toBe(
      10,
    );

    await lambda.send(new DeleteFunctionCommand({ FunctionName: "hello" }));
    const gone = await failure(lambda.send(new GetFunctionCommand({ FunctionName: "hello" })));
    expect(gone.name).toBe("ResourceNotFoundException");
    expect(gone.$metadata.httpStatusCode).toBe(404);
    expect(gone.message).toContain(`function:hello`);
  });

  it("answers GetFunction with a Code.Location that downloads the package it names, for ten minutes", async () => {
    const zip = handlerZip("download me");
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "downloadable",
        Runtime: "nodejs20.x",
        Role: role,
        Handler: "index.handler",
        Code: { ZipFile: zip },
      }),
    );
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "downloadable" }));
    const location = got.Code?.Location;
    expect(got.Code?.RepositoryType).toBe("S3");
    expect(location).toMatch(/X-Amz-Expires=600/);
    // An unsigned GET, as a browser or curl makes one: the URL carries the caller's authority.
    const downloaded = await fetch(location!);
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(Buffer.from(zip))).toBe(true);
    // The signature covers the package it names: another hash is refused, not served.
    const other = new URL(location!);
    other.searchParams.set("sha256", "0".repeat(64));
    expect((await fetch(other)).status).toBe(403);
    // Behind a TLS proxy that says so, the link names https, as the caller reached Jeff.
    const behindProxy = new LambdaClient({
      endpoint: jeff.url,
      region: jeff.region,
      credentials: jeff.credentials,
      maxAttempts: 1,
    });
    behindProxy.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers["x-forwarded-proto"] = "https";
        return next(args);
      },
      { step: "build", name: "forwardedProto" },
    );
    const proxied = await behindProxy.send(new GetFunctionCommand({ FunctionName: "downloadable" }));
    expect(proxied.Code?.Location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/_jeff\/packages\?/);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "downloadable" }));
  });

  it("pages through ListFunctions", async () => {
    for (const name of ["page-a", "page-b", "page-c"]) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Role: role,
          Code: { ZipFile: handlerZip(name) },
        }),
      );
    }
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(first.Functions?.map((f) => f.FunctionName)).toEqual(["page-a", "page-b"]);
    const second = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: first.NextMarker }));
    expect(second.Functions?.map((f) => f.FunctionName)).toEqual(["page-c"]);
    expect(second.NextMarker).toBeUndefined();
  });

  it("refuses bad input naming the field, and creates nothing", async () => {
    const before = await functionNames();
    const base = {
      FunctionName: "bad",
      Runtime: "nodejs20.x" as const,
      Handler: "index.handler",
      Role: role,
      Code: { ZipFile: handlerZip("x") },
    };
    const cases: Array<[object, string, string]> = [
      [{ Runtime: "cobol85" }, "ValidationException", "'runtime'"],
      [{ Timeout: 901 }, "ValidationException", "'timeout'"],
      [{ MemorySize: 64 }, "ValidationException", "'memorySize'"],
      [{ FunctionName: "no spaces please" }, "ValidationException", "'functionName'"],
      [{ Role: "not-a-role" }, "ValidationException", "'role'"],
      [{ Environment: { Variables: { AWS_REGION: "x" } } }, "InvalidParameterValueException", "AWS_REGION"],
      [{ Code: { ZipFile: text("this is not a zip") } }, "InvalidParameterValueException", "unzip"],
      [
        { Code: { ZipFile: zipSync({ "../escape.js": text("x") }) } },
        "InvalidParameterValueException",
        "outside",
      ],
      [
        {
          Code: {
            ZipFile: zipSync({
              "index.mjs": text("x"),
              secrets: [text("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
            }),
          },
        },
        "InvalidParameterValueException",
        "symbolic link",
      ],
    ];
    for (const [override, code, mention] of cases) {
      const error = await failure(lambda.send(new CreateFunctionCommand({ ...base, ...override } as never)));
      expect(error.name, JSON.stringify(override).slice(0, 80)).toBe(code);
      expect(error.message).toContain(mention);
    }
    await lambda.send(new CreateFunctionCommand(base));
    const duplicate = await failure(lambda.send(new CreateFunctionCommand(base)));
    expect(duplicate.name).toBe("ResourceConflictException");
    expect(duplicate.$metadata.httpStatusCode).toBe(409);
    expect(await functionNames()).toEqual([...before, "bad"].sort());
  });
});

describe("managing functions through /usr/bin/aws", () => {
  it("round-trips create-function, list-functions, get-function, update-function-code and delete-function", async () => {
    const zipPath = join(jeff.dataDir, "function.zip");
    await writeFile(zipPath, handlerZip("from the cli"));
    const env = jeff.awsEnv();
    const created = await aws(
      [
        "lambda",
        "create-function",
        "--function-name",
        "cli-fn",
        "--runtime",
        "nodejs20.x",
        "--handler",
        "index.handler",
        "--role",
        role,
        "--zip-file",
        `fileb://${zipPath}`,
        "--output",
        "json",
      ],
      env,
    );
    expect(created.stderr).toBe("");
    expect(JSON.parse(created.stdout)).toMatchObject({ FunctionName: "cli-fn", Runtime: "nodejs20.x" });
    const listed = JSON.parse((await aws(["lambda", "list-functions", "--output", "json"], env)).stdout) as {
      Functions: Array<{ FunctionName: string }>;
    };
    expect(listed.Functions.map((f) => f.FunctionName)).toContain("cli-fn");
    const got = JSON.parse(
      (await aws(["lambda", "get-function", "--function-name", "cli-fn", "--output", "json"], env)).stdout,
    ) as { Configuration: { CodeSha256: string } };
    await writeFile(zipPath, handlerZip("updated from the cli"));
    const updated = JSON.parse(
      (
        await aws(
          [
            "lambda",
            "update-function-code",
            "--function-name",
            "cli-fn",
            "--zip-file",
            `fileb://${zipPath}`,
            "--output",
            "json",
          ],
          env,
        )
      ).stdout,
    ) as { CodeSha256: string };
    expect(updated.CodeSha256).not.toBe(got.Configuration.CodeSha256);
    const deleted = await aws(["lambda", "delete-function", "--function-name", "cli-fn"], env);
    expect(deleted.code).toBe(0);
    const missing = await aws(["lambda", "get-function", "--function-name", "cli-fn"], env);
    expect(missing.stderr).toContain("(ResourceNotFoundException)");
  });
});
