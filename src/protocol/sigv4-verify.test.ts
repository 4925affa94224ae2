import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { deriveSigningKey, SigningKeyCache } from "./signing-key-cache.js";
import {
  canonicalQuery,
  canonicalUri,
  readCredentialScope,
  SigV4Error,
  type SigV4FailureReason,
  type SigV4Options,
  type SigV4Request,
  verifySigV4,
} from "./sigv4-verify.js";

// The requests below are signed by the AWS SDK's own signer, so these tests check us against the
// clients we must accept rather than against our own reading of the specification.

/** The SDK wants a hash class; node:crypto provides the hashing. */
class NodeSha256 {
  readonly #secret: Buffer | undefined;
  #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#secret =
      secret === undefined
        ? undefined
        : typeof secret === "string"
          ? Buffer.from(secret)
          : ArrayBuffer.isView(secret)
            ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
            : Buffer.from(secret);
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash("sha256") : createHmac("sha256", this.#secret);
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

const KEY = { accessKeyId: "AKIDJEFFEXAMPLE", secretAccessKey: "jeff/Secret+Key=EXAMPLE" };
const T = new Date("2024-05-01T10:00:00Z");
const minutes = (n: number) => new Date(T.getTime() + n * 60_000);

interface SignSpec {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  service?: string;
  sessionToken?: string;
  uriEscapePath?: boolean;
  applyChecksum?: boolean;
  /** presign for this many seconds instead of signing the Authorization header */
  presign?: number;
  unsignableHeaders?: string[];
  at?: Date;
}

/** Smithy's own query serialisation: strict RFC 3986 escaping. */
function escapeStrict(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

async function sign(spec: SignSpec = {}): Promise<SigV4Request> {
  const service = spec.service ?? "lambda";
  const signer = new SignatureV4({
    credentials: { ...KEY, ...(spec.sessionToken === undefined ? {} : { sessionToken: spec.sessionToken }) },
    region: "eu-west-1",
    service,
    sha256: NodeSha256,
    uriEscapePath: spec.uriEscapePath ?? true,
    applyChecksum: spec.applyChecksum ?? true,
  });
  const request = {
    method: spec.method ?? "POST",
    protocol: "https:",
    hostname: `${service}.eu-west-1.amazonaws.com`,
    path: spec.path ?? "/2015-03-31/functions/my-function/invocations",
    query: spec.query ?? {},
    headers: { host: `${service}.eu-west-1.amazonaws.com`, ...spec.headers },
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
  const unsignableHeaders = new Set(spec.unsignableHeaders ?? []);
  const out =
    spec.presign === undefined
      ? await signer.sign(request, { signingDate: spec.at ?? T, unsignableHeaders })
      : await signer.presign(request, {
          signingDate: spec.at ?? T,
          expiresIn: spec.presign,
          unsignableHeaders,
        });
  const query = Object.entries(out.query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((one) => `${escapeStrict(k)}=${escapeStrict(String(one))}`),
    )
    .join("&");
  return {
    method: out.method,
    path: out.path,
    query,
    headers: Object.entries(out.headers),
    body: new TextEncoder().encode(spec.body ?? ""),
  };
}

function options(overrides: Partial<SigV4Options> = {}): SigV4Options {
  return {
    now: T,
    secretFor: (id) => (id === KEY.accessKeyId ? { secretAccessKey: KEY.secretAccessKey } : undefined),
    ...overrides,
  };
}

function reasonOf(req: SigV4Request, opts: SigV4Options = options()): SigV4FailureReason | "accepted" {
  try {
    verifySigV4(req, opts);
    return "accepted";
  } catch (error) {
    if (error instanceof SigV4Error) return error.reason;
    throw error;
  }
}

const setHeader = (req: SigV4Request, name: string, value: string | undefined): SigV4Request => {
  const headers = req.headers.filter(([n]) => n.toLowerCase() !== name);
  return { ...req, headers: value === undefined ? headers : [...headers, [name, value]] };
};
const header = (req: SigV4Request, name: string) =>
  req.headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? "";
const editAuth = (req: SigV4Request, edit: (auth: string) => string) =>
  setHeader(req, "authorization", edit(header(req, "authorization")));

describe("canonicalUri", () => {
  it.each([
    ["/", true, "/"],
    ["", true, "/"],
    ["", false, "/"],
    ["/a/./b/../c", true, "/a/c"],
    ["/a/../..", true, "/"],
    ["//a//b//", true, "/a/b/"],
    ["//a/./b/../", false, "//a/./b/../"],
    ["/-._~AZaz09", true, "/-._~AZaz09"],
    // Non-S3 services encode the wire path again: an escape on the wire is signed as %25XX.
    ["/fn/my%20func", true, "/fn/my%2520func"],
    ["/arn%3Aaws%3Alambda", true, "/arn%253Aaws%253Alambda"],
    ["/a:b+c$d", true, "/a%3Ab%2Bc%24d"],
    ["/ሴ", true, "/%E1%88%B4"],
    ["/example space/", true, "/example%20space/"],
    // S3 signs the path as sent, encoding only what cannot appear raw.
    ["/bucket/my%20key", false, "/bucket/my%20key"],
    ["/bucket/a b", false, "/bucket/a%20b"],
    ["/bucket/100%", false, "/bucket/100%25"],
    ["/bucket/%zz", false, "/bucket/%25zz"],
  ])("%j (normalize %s) → %j", (path, normalize, expected) => {
    expect(canonicalUri(path, normalize)).toBe(expected);
  });
});

describe("canonicalQuery", () => {
  it.each([
    ["", ""],
    ["b=2&a=1", "a=1&b=2"],
    ["a=2&a=10&a=1", "a=1&a=10&a=2"],
    ["a=b&B=a", "B=a&a=b"],
    ["Param-3=3&Param=2&%E1%88%B4=1", "%E1%88%B4=1&Param=2&Param-3=3"],
    ["a", "a="],
    ["a=", "a="],
    ["a=b=c", "a=b%3Dc"],
    ["&&a=1&", "a=1"],
    ["%41=%7e", "A=~"],
    ["a=%2f", "a=%2F"],
    ["a+b=c d", "a%2Bb=c%20d"],
    ["ሴ=bar", "%E1%88%B4=bar"],
    ["x=%zz", "x=%25zz"],
    ["x=%FF%FE", "x=%FF%FE"],
    ["X-Amz-Signature=abc&a=1", "a=1"],
  ])("%j → %j", (query, expected) => {
    expect(canonicalQuery(query)).toBe(expected);
  });
});

describe("verifySigV4 against requests the AWS SDK signed", () => {
  it("accepts an Authorization header with a signed body", async () => {
    const req = await sign({ body: '{"hello":"world"}', headers: { "content-type": "application/json" } });
    expect(verifySigV4(req, options())).toEqual({
      accessKeyId: KEY.accessKeyId,
      region: "eu-west-1",
      service: "lambda",
      signedAt: T,
      form: "header",
    });
  });

  it("accepts a double-encoded path, a repeated query key and an oddly spaced header", async () => {
    const req = await sign({
      method: "GET",
      path: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A1%3Afunction%3Amy%20fn/configuration",
      query: { Qualifier: "$LATEST", tag: ["b", "a"], "x y": "1+1=2" },
      headers: { "x-custom": "  a   b  c " },
    });
    expect(verifySigV4(req, options()).form).toBe("header");
  });

  it("accepts an S3 request whose path is signed as sent", async () => {
    const req = await sign({
      service: "s3",
      uriEscapePath: false,
      method: "PUT",
      path: "/bucket/a%20key/../x",
      body: "data",
    });
    expect(verifySigV4(req, options()).service).toBe("s3");
    expect(reasonOf(req, options({ normalizePath: () => true }))).toBe("signature-mismatch");
  });

  it("accepts a presigned URL, with and without a body", async () => {
    const get = await sign({
      method: "GET",
      presign: 900,
      query: { Action: "GetCallerIdentity" },
      service: "sts",
    });
    expect(verifySigV4(get, options()).form).toBe("query");
    const post = await sign({ presign: 900, body: "payload", applyChecksum: false });
    expect(verifySigV4(post, options()).form).toBe("query");
    expect(reasonOf({ ...post, body: new TextEncoder().encode("payloaD") })).toBe("signature-mismatch");
  });

  it("accepts an S3-style presigned URL with UNSIGNED-PAYLOAD hoisted into the query", async () => {
    const req = await sign({
      service: "s3",
      uriEscapePath: false,
      method: "PUT",
      path: "/bucket/key",
      presign: 3600,
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      body: "anything",
    });
    expect(req.query).toContain("x-amz-content-sha256=UNSIGNED-PAYLOAD");
    expect(verifySigV4({ ...req, body: new TextEncoder().encode("something else") }, options()).service).toBe(
      "s3",
    );
  });

  it("falls back to the Date header when X-Amz-Date is absent", async () => {
    const signed = await sign({ unsignableHeaders: ["x-amz-date"] });
    const req = setHeader(setHeader(signed, "x-amz-date", undefined), "date", T.toUTCString());
    expect(verifySigV4(req, options()).signedAt).toEqual(T);
  });
});

describe("payload hash", () => {
  const unsignedPut = (service: string) =>
    sign({
      service,
      uriEscapePath: service !== "s3",
      method: "PUT",
      path: "/bucket/key",
      body: "one",
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });

  it.each(["s3", "s3-object-lambda", "s3-outposts", "s3express"])(
    "accepts UNSIGNED-PAYLOAD with any body for %s, as AWS does",
    async (service) => {
      const req = await unsignedPut(service);
      expect(reasonOf(req)).toBe("accepted");
      expect(reasonOf({ ...req, body: new TextEncoder().encode("two") })).toBe("accepted");
    },
  );

  it.each(["lambda", "sts", "ssm", "logs", "cloudformation"])(
    "refuses UNSIGNED-PAYLOAD for %s as a signature mismatch, so a body cannot be swapped under a signature",
    async (service) => {
      const req = await unsignedPut(service);
      // AWS hashes the body it got whatever the header says: even the untouched request fails.
      expect(reasonOf(req)).toBe("signature-mismatch");
      expect(reasonOf({ ...req, body: new TextEncoder().encode("two") })).toBe("signature-mismatch");
      // The same request is good where the service is declared to take unsigned payloads.
      expect(reasonOf(req, options({ unsignedPayload: (s) => s === service }))).toBe("accepted");
    },
  );

  it("refuses UNSIGNED-PAYLOAD hoisted into a presigned URL for a service other than S3", async () => {
    const req = await sign({
      presign: 900,
      body: "one",
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    expect(req.query).toContain("x-amz-content-sha256=UNSIGNED-PAYLOAD");
    expect(reasonOf(req)).toBe("signature-mismatch");
    expect(reasonOf({ ...req, body: new TextEncoder().encode("two") })).toBe("signature-mismatch");
  });

  it("refuses a body that does not match x-amz-content-sha256, or the signed hash without that header", async () => {
    const declared = await sign({ body: "one" });
    expect(header(declared, "x-amz-content-sha256")).toMatch(/^[0-9a-f]{64}$/);
    expect(reasonOf({ ...declared, body: new TextEncoder().encode("two") })).toBe("signature-mismatch");
    const implicit = await sign({ body: "one", applyChecksum: false });
    expect(header(implicit, "x-amz-content-sha256")).toBe("");
    expect(reasonOf(implicit)).toBe("accepted");
    expect(reasonOf({ ...implicit, body: new TextEncoder().encode("two") })).toBe("signature-mismatch");
  });

  it.each([
    ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "unsupported-algorithm"],
    ["not-a-hash", "malformed"],
  ] as const)("refuses x-amz-content-sha256: %s", async (value, reason) => {
    expect(reasonOf(await sign({ headers: { "x-amz-content-sha256": value } }))).toBe(reason);
  });
});

describe("clock", () => {
  it.each([
    [14, "accepted"],
    [16, "expired"],
    [-14, "accepted"],
    [-16, "not-yet-valid"],
  ] as const)("header form, now = signedAt + %s min → %s", async (offset, reason) => {
    expect(reasonOf(await sign(), options({ now: minutes(offset) }))).toBe(reason);
  });

  it("honours maxClockSkewMs", async () => {
    expect(reasonOf(await sign(), options({ now: minutes(2), maxClockSkewMs: 60_000 }))).toBe("expired");
  });

  it.each([
    [0.9, "accepted"],
    [1.1, "expired"],
    [-14, "accepted"],
    [-16, "not-yet-valid"],
  ] as const)("presigned for 60 s, now = signedAt + %s min → %s", async (offset, reason) => {
    expect(reasonOf(await sign({ presign: 60 }), options({ now: minutes(offset) }))).toBe(reason);
  });

  it("keeps a week-long presigned URL valid for the whole week", async () => {
    const req = await sign({ presign: 604800 });
    expect(reasonOf(req, options({ now: minutes(7 * 24 * 60 - 1) }))).toBe("accepted");
    expect(reasonOf(req, options({ now: minutes(7 * 24 * 60 + 1) }))).toBe("expired");
  });
});

describe("session token", () => {
  const token = "FwoGZXIvYXdzEJr//////////wEaDH+token=";

  it("returns a signed token from the header form and refuses a swapped one", async () => {
    const req = await sign({ sessionToken: token });
    expect(verifySigV4(req, options()).sessionToken).toBe(token);
    expect(reasonOf(setHeader(req, "x-amz-security-token", `${token}x`))).toBe("signature-mismatch");
  });

  it("returns a signed token from a presigned URL and refuses a swapped one", async () => {
    const req = await sign({ sessionToken: token, presign: 300 });
    expect(verifySigV4(req, options()).sessionToken).toBe(token);
    const swapped = req.query.replace(/X-Amz-Security-Token=[^&]*/, "X-Amz-Security-Token=other");
    expect(reasonOf({ ...req, query: swapped })).toBe("signature-mismatch");
  });

  it("accepts a token appended to a presigned URL after signing, and returns it", async () => {
    const req = await sign({ presign: 300 });
    const appended = { ...req, query: `${req.query}&X-Amz-Security-Token=${encodeURIComponent(token)}` };
    expect(verifySigV4(appended, options()).sessionToken).toBe(token);
  });
});

describe("refusals name the right reason", () => {
  const cases: [string, (req: SigV4Request) => SigV4Request, SigV4FailureReason][] = [
    ["no Authorization at all", (r) => setHeader(r, "authorization", undefined), "missing"],
    [
      "SigV2",
      (r) => setHeader(r, "authorization", "AWS AKIDJEFFEXAMPLE:c2lnbmF0dXJl"),
      "unsupported-algorithm",
    ],
    [
      "SigV4a",
      (r) => editAuth(r, (a) => a.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")),
      "unsupported-algorithm",
    ],
    ["algorithm alone", (r) => setHeader(r, "authorization", "AWS4-HMAC-SHA256"), "malformed"],
    ["no Credential", (r) => editAuth(r, (a) => a.replace(/Credential=[^,]*, /, "")), "malformed"],
    ["no SignedHeaders", (r) => editAuth(r, (a) => a.replace(/SignedHeaders=[^,]*, /, "")), "malformed"],
    ["no Signature", (r) => editAuth(r, (a) => a.replace(/, Signature=.*/, "")), "malformed"],
    ["duplicate component", (r) => editAuth(r, (a) => `${a}, Signature=${"0".repeat(64)}`), "malformed"],
    ["unknown component", (r) => editAuth(r, (a) => `${a}, Extra=1`), "malformed"],
    ["short Signature", (r) => editAuth(r, (a) => a.slice(0, -2)), "malformed"],
    ["non-hex Signature", (r) => editAuth(r, (a) => `${a.slice(0, -1)}g`), "malformed"],
    ["Credential with 4 parts", (r) => editAuth(r, (a) => a.replace("/aws4_request", "")), "malformed"],
    [
      "Credential terminator",
      (r) => editAuth(r, (a) => a.replace("aws4_request", "aws4_requesx")),
      "malformed",
    ],
    [
      "Credential date not 8 digits",
      (r) => editAuth(r, (a) => a.replace("/20240501/", "/2024051/")),
      "malformed",
    ],
    [
      "scope date ≠ X-Amz-Date",
      (r) => editAuth(r, (a) => a.replace("/20240501/", "/20240502/")),
      "malformed",
    ],
    ["SignedHeaders without host", (r) => editAuth(r, (a) => a.replace("host;", "")), "malformed"],
    ["SignedHeaders upper case", (r) => editAuth(r, (a) => a.replace("host;", "Host;")), "malformed"],
    ["SignedHeaders repeated", (r) => editAuth(r, (a) => a.replace("host;", "host;host;")), "malformed"],
    ["signed header absent", (r) => editAuth(r, (a) => a.replace("host;", "host;x-absent;")), "malformed"],
    [
      "two Authorization headers",
      (r) => ({ ...r, headers: [...r.headers, ["Authorization", "x"]] }),
      "malformed",
    ],
    ["header and query auth", (r) => ({ ...r, query: "X-Amz-Algorithm=AWS4-HMAC-SHA256" }), "malformed"],
    ["no X-Amz-Date", (r) => setHeader(r, "x-amz-date", undefined), "malformed"],
    ["impossible X-Amz-Date", (r) => setHeader(r, "x-amz-date", "20240231T100000Z"), "malformed"],
    ["extended X-Amz-Date", (r) => setHeader(r, "x-amz-date", "2024-05-01T10:00:00Z"), "malformed"],
    ["unknown access key", (r) => editAuth(r, (a) => a.replace(KEY.accessKeyId, "AKIDOTHER")), "unknown-key"],
    ["method changed", (r) => ({ ...r, method: "PUT" }), "signature-mismatch"],
    ["query added", (r) => ({ ...r, query: "a=1" }), "signature-mismatch"],
  ];
  it.each(cases)("header form: %s", async (_, edit, reason) => {
    expect(reasonOf(edit(await sign()))).toBe(reason);
  });

  const presigned: [string, (query: string) => string, SigV4FailureReason][] = [
    ["no X-Amz-Expires", (q) => q.replace(/&?X-Amz-Expires=\d+/, ""), "malformed"],
    ["X-Amz-Expires over a week", (q) => q.replace(/X-Amz-Expires=\d+/, "X-Amz-Expires=604801"), "malformed"],
    ["X-Amz-Expires negative", (q) => q.replace(/X-Amz-Expires=\d+/, "X-Amz-Expires=-1"), "malformed"],
    ["no X-Amz-Credential", (q) => q.replace(/&?X-Amz-Credential=[^&]*/, ""), "malformed"],
    ["no X-Amz-Signature", (q) => q.replace(/&?X-Amz-Signature=[^&]*/, ""), "malformed"],
    ["two X-Amz-Date", (q) => `${q}&X-Amz-Date=20240501T100000Z`, "malformed"],
    [
      "other algorithm",
      (q) => q.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"),
      "unsupported-algorithm",
    ],
    ["X-Amz-Date changed", (q) => q.replace("T100000Z", "T100001Z"), "signature-mismatch"],
    ["parameter added", (q) => `${q}&extra=1`, "signature-mismatch"],
  ];
  it.each(presigned)("query form: %s", async (_, edit, reason) => {
    const req = await sign({ presign: 600 });
    expect(reasonOf({ ...req, query: edit(req.query) })).toBe(reason);
  });

  it("carries what it signed on a mismatch, for the error message", async () => {
    const req = await sign({ method: "GET", path: "/x" });
    try {
      verifySigV4({ ...req, method: "DELETE" }, options());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SigV4Error);
      expect((error as SigV4Error).canonicalRequest).toMatch(/^DELETE\n\/x\n\n/);
      expect((error as SigV4Error).stringToSign).toMatch(
        /^AWS4-HMAC-SHA256\n20240501T100000Z\n20240501\/eu-west-1\//,
      );
    }
  });
});

describe("readCredentialScope", () => {
  const scope = { accessKeyId: KEY.accessKeyId, date: "20240501", region: "eu-west-1", service: "lambda" };

  it("reads the header form and the query form without verifying", async () => {
    expect(readCredentialScope(await sign())).toEqual(scope);
    expect(readCredentialScope(await sign({ presign: 60 }))).toEqual(scope);
    expect(readCredentialScope({ ...(await sign()), method: "WRONG" })).toEqual(scope);
  });

  it("returns undefined when there is nothing readable", async () => {
    const req = await sign();
    expect(readCredentialScope(setHeader(req, "authorization", undefined))).toBeUndefined();
    expect(
      readCredentialScope(setHeader(req, "authorization", "AWS4-HMAC-SHA256 Credential=nope")),
    ).toBeUndefined();
    expect(
      readCredentialScope({ ...req, headers: [...req.headers, ["authorization", "x"]] }),
    ).toBeUndefined();
  });
});

describe("signing keys", () => {
  it("derives the key of AWS's published example", () => {
    // From the SigV4 documentation's "derive a signing key" example.
    const key = deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
    expect(key.toString("hex")).toBe("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
  });

  it("caches by secret, date, region and service, evicting the least recently used", () => {
    const cache = new SigningKeyCache(2);
    const a = cache.signingKey("s", "20240501", "r", "lambda");
    expect(cache.signingKey("s", "20240501", "r", "lambda")).toBe(a);
    expect(cache.signingKey("t", "20240501", "r", "lambda")).not.toEqual(a);
    cache.signingKey("s", "20240501", "r", "lambda"); // touch a: the "t" key is now the oldest
    cache.signingKey("s", "20240502", "r", "lambda");
    expect(cache.size).toBe(2);
    expect(cache.signingKey("s", "20240501", "r", "lambda")).toBe(a);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new SigningKeyCache(0)).toThrow(/capacity/);
  });
});
