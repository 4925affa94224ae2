/**
 * Runs the vendored AWS SigV4 test suites (aws-c-auth v4 and the classic aws-sig-v4-test-suite)
 * through verifySigV4, then tampers with every valid case to prove each signed part is checked.
 * The data stays outside the repo (test/conformance/corpus.ts says where, and what happens when
 * it is missing); the pass counts may only go up, as recorded in test/conformance/ratchet.json.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { corpusFor, skipOrFail } from "../../test/conformance/corpus.js";
import { SigV4Error, type SigV4Request, verifySigV4 } from "./sigv4-verify.js";

const casesFile = corpusFor("sigv4").file;
const ratchetFile = fileURLToPath(new URL("../../test/conformance/ratchet.json", import.meta.url));

interface ConformanceCase {
  id: string;
  suite: string;
  variant: "header" | "query";
  canonicalRequest: string;
  signedRequest: string;
  expectValid: boolean;
  context: {
    credentials: { access_key_id: string; secret_access_key: string };
    timestamp: string;
    normalize: boolean;
    /** `UNSIGNED-PAYLOAD` when the case is signed as for a service that takes unsigned bodies (S3). */
    signed_body_value?: string;
  };
}

/** `METHOD TARGET HTTP/1.1` (the target may hold a space), `Name:value` lines with obs-fold, a blank line, the body. */
function parseRawRequest(text: string): SigV4Request {
  const blank = text.indexOf("\n\n");
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? "" : text.slice(blank + 2);
  const [requestLine = "", ...lines] = head.split("\n");
  const line = /^(\S+) (.*) HTTP\/1\.1$/.exec(requestLine);
  if (line === null) throw new Error(`bad request line: ${requestLine}`);
  const target = line[2]!;
  const q = target.indexOf("?");
  const headers: [string, string][] = [];
  for (const l of lines) {
    const last = headers.at(-1);
    if (/^[ \t]/.test(l) && last !== undefined) {
      // Keep the fold as it arrived; unfolding is the verifier's job.
      last[1] += `\n${l}`;
      continue;
    }
    const colon = l.indexOf(":");
    headers.push([l.slice(0, colon), l.slice(colon + 1)]);
  }
  return {
    method: line[1]!,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? "" : target.slice(q + 1),
    headers,
    body: new TextEncoder().encode(body),
  };
}

/**
 * The suite's context says how its fictional `service` signs: whether it normalises paths, and
 * whether it takes UNSIGNED-PAYLOAD (as S3 does). `servicePolicy: "jeff"` verifies instead as Jeff
 * does for a service of that name, which is not S3.
 */
function verify(
  c: ConformanceCase,
  req: SigV4Request,
  secret = c.context.credentials.secret_access_key,
  servicePolicy: "case" | "jeff" = "case",
) {
  return verifySigV4(req, {
    now: new Date(c.context.timestamp),
    secretFor: (id) => (id === c.context.credentials.access_key_id ? { secretAccessKey: secret } : undefined),
    normalizePath: () => c.context.normalize,
    ...(servicePolicy === "case"
      ? { unsignedPayload: () => c.context.signed_body_value === "UNSIGNED-PAYLOAD" }
      : {}),
  });
}

function refusal(run: () => unknown): SigV4Error | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof SigV4Error) return error;
    throw error;
  }
}

/** A different character of the same kind, so hex stays hex and the change survives canonicalisation. */
function changeChar(ch: string): string {
  if (/[0-8]/.test(ch)) return String.fromCharCode(ch.charCodeAt(0) + 1);
  if (ch === "9") return "0";
  if (/[a-e]/i.test(ch)) return String.fromCharCode(ch.charCodeAt(0) + 1);
  return /[A-Z]/.test(ch) ? ("A" === ch ? "B" : "A") : ch === "a" ? "b" : "a";
}

function changeLastNonSpace(value: string): string {
  const at = value.search(/\S\s*$/);
  return at < 0 ? "x" : value.slice(0, at) + changeChar(value[at]!) + value.slice(at + 1);
}

function signedHeaderNames(req: SigV4Request): string[] {
  const auth = req.headers.find(([n]) => n.toLowerCase() === "authorization")?.[1];
  const list = auth
    ? /SignedHeaders=([^,\s]+)/.exec(auth)?.[1]
    : /(?:^|&)X-Amz-SignedHeaders=([^&]*)/.exec(req.query)?.[1]?.replaceAll("%3B", ";");
  return list?.split(";") ?? [];
}

type MutationKind =
  | "signed-header"
  | "body"
  | "date"
  | "secret"
  | "signature"
  | "method"
  | "path"
  | "query"
  | "unsigned-payload";
interface Mutation {
  kind: MutationKind;
  label: string;
  req: SigV4Request;
  secret?: string;
  servicePolicy?: "jeff";
}

function mutationsOf(c: ConformanceCase, req: SigV4Request): Mutation[] {
  const out: Mutation[] = [];
  const withHeaders = (headers: [string, string][]) => ({ ...req, headers });
  for (const name of signedHeaderNames(req)) {
    if (name === "x-amz-date") continue;
    const index = req.headers.findIndex(([n]) => n.toLowerCase() === name);
    if (index < 0) continue;
    const headers = req.headers.map(([n, v], i): [string, string] => [
      n,
      i === index ? changeLastNonSpace(v) : v,
    ]);
    out.push({ kind: "signed-header", label: name, req: withHeaders(headers) });
  }
  const unsignedPayload = req.headers.some(
    ([n, v]) => n.toLowerCase() === "x-amz-content-sha256" && v.trim() === "UNSIGNED-PAYLOAD",
  );
  if (unsignedPayload) {
    // Only S3 takes a signature that leaves the body out; the suite's `service` is not S3, so Jeff
    // must refuse the same request, or anyone could swap the body under it.
    out.push({ kind: "unsigned-payload", label: "for a service that is not S3", req, servicePolicy: "jeff" });
  } else {
    const body =
      req.body.length > 0
        ? Uint8Array.from(req.body, (b, i) => (i === req.body.length - 1 ? b ^ 1 : b))
        : new TextEncoder().encode("x");
    out.push({ kind: "body", label: req.body.length > 0 ? "changed" : "appended", req: { ...req, body } });
  }
  // One second later: inside the skew window, so only the signature can catch it.
  const later = (d: string) => d.replace(/00Z$/, "01Z");
  if (c.variant === "header") {
    const headers = req.headers.map(([n, v]): [string, string] => [
      n,
      n.toLowerCase() === "x-amz-date" ? later(v) : v,
    ]);
    out.push({ kind: "date", label: "x-amz-date +1s", req: withHeaders(headers) });
  } else {
    const query = req.query.replace(/(X-Amz-Date=\d{8}T\d{6}Z)/, (d) => later(d));
    out.push({ kind: "date", label: "X-Amz-Date +1s", req: { ...req, query } });
  }
  out.push({
    kind: "secret",
    label: "wrong secret",
    req,
    secret: `${c.context.credentials.secret_access_key}x`,
  });
  const flipSignature = (s: string) =>
    s.replace(/(Signature=[0-9a-f]{63})([0-9a-f])/, (_, a, b) => a + changeChar(b));
  if (c.variant === "header") {
    const headers = req.headers.map(([n, v]): [string, string] => [
      n,
      n.toLowerCase() === "authorization" ? flipSignature(v) : v,
    ]);
    out.push({ kind: "signature", label: "flipped digit", req: withHeaders(headers) });
  } else {
    out.push({ kind: "signature", label: "flipped digit", req: { ...req, query: flipSignature(req.query) } });
  }
  out.push({
    kind: "method",
    label: "changed",
    req: { ...req, method: req.method === "GET" ? "POST" : "GET" },
  });
  out.push({ kind: "path", label: "appended", req: { ...req, path: `${req.path}x` } });
  out.push({
    kind: "query",
    label: "param added",
    req: { ...req, query: req.query === "" ? "Extra=1" : `${req.query}&Extra=1` },
  });
  return out;
}

interface Tally {
  passed: number;
  total: number;
}
function count(tallies: Map<string, Tally>, key: string, ok: boolean): void {
  const t = tallies.get(key) ?? { passed: 0, total: 0 };
  t.total++;
  if (ok) t.passed++;
  tallies.set(key, t);
}

describe("SigV4 conformance (aws-c-auth v4 + classic aws-sig-v4-test-suite)", () => {
  // Without the corpus a fresh clone skips, and says so; CI requires it, so the ratchet cannot
  // pass there by not running.
  it("verifies every case and refuses every tampered copy", (context) => {
    skipOrFail("sigv4", (note) => context.skip(note));
    const cases = JSON.parse(readFileSync(casesFile, "utf8")) as ConformanceCase[];
    const ratchet = JSON.parse(readFileSync(ratchetFile, "utf8")) as {
      sigv4: number;
      sigv4Mutations: number;
    };
    const byCategory = new Map<string, Tally>();
    const byKind = new Map<string, Tally>();
    const failures: string[] = [];
    let passed = 0;
    let mutationsRefused = 0;

    for (const c of cases) {
      const req = parseRawRequest(c.signedRequest);
      const error = refusal(() => verify(c, req));
      const ok = c.expectValid ? error === undefined : error?.reason === "signature-mismatch";
      count(byCategory, `${c.suite} × ${c.variant}`, ok);
      if (ok) passed++;
      else {
        const ours = error?.canonicalRequest;
        failures.push(
          `${c.id}: ${error ? `${error.reason}: ${error.message}` : "accepted but should be refused"}` +
            (ours !== undefined && ours !== c.canonicalRequest
              ? `\n  ours:     ${JSON.stringify(ours)}\n  expected: ${JSON.stringify(c.canonicalRequest)}`
              : ""),
        );
      }
      if (!c.expectValid) continue;
      for (const m of mutationsOf(c, req)) {
        const refused = refusal(() => verify(c, m.req, m.secret, m.servicePolicy));
        // Tampering must fail on the signature, not on some earlier check that would hide a hole.
        const right =
          refused?.reason === "signature-mismatch" ||
          (m.kind === "signed-header" && refused?.reason === "malformed");
        count(byKind, m.kind, right);
        if (right) mutationsRefused++;
        else failures.push(`${c.id} [${m.kind}: ${m.label}]: ${refused ? refused.reason : "accepted"}`);
      }
    }

    const mutationTotal = [...byKind.values()].reduce((n, t) => n + t.total, 0);
    const lines = [`SigV4 conformance: ${passed}/${cases.length} cases`];
    for (const [k, t] of byCategory) lines.push(`  ${k}: ${t.passed}/${t.total}`);
    lines.push(`SigV4 tampered copies refused: ${mutationsRefused}/${mutationTotal}`);
    for (const [k, t] of byKind) lines.push(`  ${k}: ${t.passed}/${t.total}`);
    if (failures.length > 0) lines.push("Failures:", ...failures.map((f) => `  ${f}`));
    if (passed > ratchet.sigv4 || mutationsRefused > ratchet.sigv4Mutations) {
      lines.push(
        `Above the ratchet: raise ${ratchetFile} to sigv4=${passed}, sigv4Mutations=${mutationsRefused}`,
      );
    }
    console.log(lines.join("\n"));

    expect(passed, "SigV4 cases passing fell below the ratchet").toBeGreaterThanOrEqual(ratchet.sigv4);
    expect(mutationsRefused, "SigV4 tampered copies refused fell below the ratchet").toBeGreaterThanOrEqual(
      ratchet.sigv4Mutations,
    );
  });
});
