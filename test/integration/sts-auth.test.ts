// The first thing anyone types: `aws sts get-caller-identity`, through the real AWS CLI and SDK,
// and every way a request can fail to prove who sent it.
import {
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
  type STSClientConfig,
} from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presignedUrl } from "./aws-signer.js";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";

let jeff: JeffProcess;

beforeAll(async () => {
  jeff = await startJeff();
});

afterAll(async () => {
  await jeff?.stop();
});

function sts(overrides: Partial<STSClientConfig> = {}): STSClient {
  return new STSClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
    ...overrides,
  });
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return {
      name: e.name,
      message: e.message,
      ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}),
    };
  }
  throw new Error("expected the call to fail");
}

describe("GetCallerIdentity", () => {
  it("names the developer through the AWS SDK", async () => {
    const out = await sts().send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe(jeff.accountId);
    expect(out.Arn).toBe(`arn:aws:iam::${jeff.accountId}:user/admin`);
    expect(out.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(out.$metadata.requestId).toMatch(/[0-9a-f-]{36}/);
  });

  it("names the developer through /usr/bin/aws", async () => {
    const result = await aws(["sts", "get-caller-identity", "--output", "json"], jeff.awsEnv());
    expect(result.stderr).toBe("");
    const out = JSON.parse(result.stdout) as { Account: string; Arn: string };
    expect(out.Account).toBe(jeff.accountId);
    expect(out.Arn).toBe(`arn:aws:iam::${jeff.accountId}:user/admin`);
  });

  it("refuses a wrong secret, through the SDK and the CLI", async () => {
    // One character changed (to another one: a secret may end in x).
    const secret = jeff.credentials.secretAccessKey;
    const wrong = {
      ...jeff.credentials,
      secretAccessKey: `${secret.slice(0, -1)}${secret.endsWith("x") ? "y" : "x"}`,
    };
    expect(await errorOf(sts({ credentials: wrong }).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
    const cli = await aws(["sts", "get-caller-identity"], {
      ...jeff.awsEnv(),
      AWS_SECRET_ACCESS_KEY: wrong.secretAccessKey,
    });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain("(SignatureDoesNotMatch)");
  });

  it("refuses an unknown access key", async () => {
    const unknown = {
      accessKeyId: "AKIAUNKNOWNUNKNOWN00",
      secretAccessKey: jeff.credentials.secretAccessKey,
    };
    expect(await errorOf(sts({ credentials: unknown }).send(new GetCallerIdentityCommand({})))).toMatchObject(
      {
        name: "InvalidClientTokenId",
        status: 403,
      },
    );
    const cli = await aws(["sts", "get-caller-identity"], {
      ...jeff.awsEnv(),
      AWS_ACCESS_KEY_ID: unknown.accessKeyId,
    });
    expect(cli.stderr).toContain("(InvalidClientTokenId)");
  });

  it("refuses a tampered signature", async () => {
    const client = sts();
    client.middlewareStack.addRelativeTo(
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware generics are not worth spelling out here
      (next: any) => async (args: any) => {
        const request = args.request as { headers: Record<string, string> };
        const auth = request.headers.authorization ?? "";
        const last = auth.at(-1) === "0" ? "1" : "0";
        request.headers.authorization = auth.slice(0, -1) + last;
        return next(args);
      },
      { relation: "after", toMiddleware: "awsAuthMiddleware", name: "tamper" },
    );
    expect(await errorOf(client.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: "SignatureDoesNotMatch",
    });
  });

  it("refuses a signature made 20 minutes ago", async () => {
    const stale = sts({ systemClockOffset: -20 * 60 * 1000 });
    expect(await errorOf(stale.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: "RequestExpired",
      status: 400,
    });
  });

  it("refuses an unsigned request, through the CLI and plain HTTP", async () => {
    const cli = await aws(["sts", "get-caller-identity", "--no-sign-request"], jeff.awsEnv());
    expect(cli.stderr).toContain("(MissingAuthenticationToken)");
    const res = await fetch(jeff.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("<Code>MissingAuthenticationToken</Code>");
    expect(text).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId>/);
  });

  it("answers no API request without a signature, whatever the protocol", async () => {
    const attempts: Array<[RequestInit, string, string]> = [
      [
        {
          method: "POST",
          headers: {
            "x-amz-target": "AWSStepFunctions.ListStateMachines",
            "content-type": "application/x-amz-json-1.0",
          },
          body: "{}",
        },
        "/",
        "MissingAuthenticationTokenException",
      ],
      [
        {
          method: "POST",
          headers: { "x-amz-target": "AWSEvents.ListRules", "content-type": "application/x-amz-json-1.1" },
          body: "{}",
        },
        "/",
        "MissingAuthenticationTokenException",
      ],
      [{ method: "GET" }, "/2015-03-31/functions/", "MissingAuthenticationTokenException"],
      [{ method: "GET" }, "/?Action=GetCallerIdentity&Version=2011-06-15", "MissingAuthenticationToken"],
    ];
    for (const [init, path, code] of attempts) {
      const res = await fetch(jeff.url + path, init);
      expect(res.status).toBe(403);
      const text = await res.text();
      if (code.endsWith("Exception")) {
        expect(res.headers.get("x-amzn-errortype")).toBe(code);
        expect(JSON.parse(text)).toMatchObject({ __type: code });
      } else {
        expect(text).toContain(`<Code>${code}</Code>`);
      }
    }
  });
});

describe("presigned URLs", () => {
  it("answers a presigned GetCallerIdentity and refuses it once tampered with", async () => {
    const url = await presignedUrl({
      url: `${jeff.url}/?Action=GetCallerIdentity&Version=2011-06-15`,
      service: "sts",
      region: jeff.region,
      credentials: jeff.credentials,
    });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(`<Account>${jeff.accountId}</Account>`);
    const tampered = await fetch(url.replace("GetCallerIdentity", "GetSessionToken"));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
});

describe("temporary credentials", () => {
  it("GetSessionToken issues credentials that work with their token and fail without it", async () => {
    const out = await sts().send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const creds = out.Credentials!;
    expect(creds.AccessKeyId).toMatch(/^ASIA/);
    const temp = sts({
      credentials: {
        accessKeyId: creds.AccessKeyId!,
        secretAccessKey: creds.SecretAccessKey!,
        sessionToken: creds.SessionToken!,
      },
    });
    const who = await temp.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:iam::${jeff.accountId}:user/admin`);
    const noToken = sts({
      credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey! },
    });
    expect(await errorOf(noToken.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: "InvalidClientTokenId",
    });
    expect(await errorOf(temp.send(new GetSessionTokenCommand({})))).toMatchObject({ name: "AccessDenied" });
  });

  it("refuses a duration outside 900–129600 seconds and names the field", async () => {
    const error = await errorOf(sts().send(new GetSessionTokenCommand({ DurationSeconds: 10 })));
    expect(error.name).toBe("ValidationError");
    expect(error.message).toContain("durationSeconds");
  });
});
