// A body swapped under a valid signature: `x-amz-content-sha256: UNSIGNED-PAYLOAD` leaves the body
// out of the signature, which AWS accepts only for S3. Jeff serves no S3, so the real server must
// refuse such a request for every service it has, as AWS does (a signature mismatch).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedHeaders } from "./aws-signer.js";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { createNodeFunction, lambdaClientFor } from "./lambda-helpers.js";

let jeff: JeffProcess;

beforeAll(async () => {
  jeff = await startJeff();
  await createNodeFunction(
    lambdaClientFor(jeff),
    jeff.accountId,
    "payer",
    `export const handler = async (event) => ({ paid: event.amount });`,
  );
});
afterAll(async () => {
  await jeff?.stop();
});

/** Signs `body` over UNSIGNED-PAYLOAD (or over its hash), then sends `sent` under that signature. */
async function send(input: {
  service: string;
  path: string;
  contentType: string;
  body: string;
  sent: string;
  unsigned?: boolean;
}) {
  const url = `${jeff.url}${input.path}`;
  const headers = await signedHeaders({
    url,
    method: "POST",
    headers: {
      "content-type": input.contentType,
      ...(input.unsigned === false ? {} : { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }),
    },
    body: input.body,
    service: input.service,
    region: jeff.region,
    credentials: jeff.credentials,
  });
  const res = await fetch(url, { method: "POST", headers, body: input.sent });
  return { status: res.status, errorType: res.headers.get("x-amzn-errortype"), text: await res.text() };
}

describe("UNSIGNED-PAYLOAD outside S3", () => {
  const invoke = {
    service: "lambda",
    path: "/2015-03-31/functions/payer/invocations",
    contentType: "application/json",
    body: JSON.stringify({ amount: 1 }),
  };
  const sts = {
    service: "sts",
    path: "/",
    contentType: "application/x-www-form-urlencoded",
    body: "Action=GetCallerIdentity&Version=2011-06-15",
  };

  it("refuses a Lambda Invoke whose body was swapped, and runs nothing", async () => {
    const swapped = await send({ ...invoke, sent: JSON.stringify({ amount: 1000 }) });
    expect(swapped.status).toBe(403);
    expect(swapped.errorType).toBe("InvalidSignatureException");
    expect(JSON.parse(swapped.text)).toMatchObject({
      message: expect.stringContaining("does not match the signature you provided"),
    });
    // As on AWS, Lambda hashes the body it got: the unswapped request fails the same way.
    expect((await send({ ...invoke, sent: invoke.body })).errorType).toBe("InvalidSignatureException");
    const metrics = await (await fetch(`${jeff.url}/_jeff/metrics`)).text();
    expect(metrics).not.toContain('jeff_function_invocations_total{function="payer"');
    // Signed over its body, the same call goes through.
    const signed = await send({ ...invoke, sent: invoke.body, unsigned: false });
    expect(signed.status).toBe(200);
    expect(JSON.parse(signed.text)).toEqual({ paid: 1 });
  });

  it("refuses an STS call whose body was swapped, with SignatureDoesNotMatch", async () => {
    const swapped = await send({ ...sts, sent: "Action=GetSessionToken&Version=2011-06-15" });
    expect(swapped.status).toBe(403);
    expect(swapped.text).toContain("<Code>SignatureDoesNotMatch</Code>");
    expect((await send({ ...sts, sent: sts.body })).text).toContain("<Code>SignatureDoesNotMatch</Code>");
    const signed = await send({ ...sts, sent: sts.body, unsigned: false });
    expect(signed.status).toBe(200);
    expect(signed.text).toContain(`<Account>${jeff.accountId}</Account>`);
  });
});
