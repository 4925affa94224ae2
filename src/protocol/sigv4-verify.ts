/**
 * Verifies AWS Signature Version 4 (`AWS4-HMAC-SHA256`) on an incoming request, in both forms:
 * the `Authorization` header and the presigned query string.
 *
 * Pure: no I/O, and the clock and the key lookup are injected. The one invariant: a request is
 * accepted only if the signature its sender computed over the canonical request equals ours,
 * compared in constant time; every other rule here exists to rebuild that canonical request
 * byte for byte the way AWS's signers do.
 *
 * Conformance: the aws-c-auth and classic aws-sig-v4-test-suite cases, run by
 * `sigv4-conformance.test.ts`.
 */
import { createHmac, hash, timingSafeEqual } from "node:crypto";
import { boundedMemo } from "./bounded-memo.js";
import { SigningKeyCache } from "./signing-key-cache.js";
import {
  canonicalQueryOf,
  literalUri,
  lookupParam,
  normalizedUri,
  parseQuery,
  type QueryParam,
} from "./sigv4-canonical.js";
import { malformed, SigV4Error } from "./sigv4-error.js";
import { RequestHeaders } from "./sigv4-headers.js";

export { canonicalQuery, canonicalUri, type QueryParam } from "./sigv4-canonical.js";
export { SigV4Error, type SigV4FailureReason } from "./sigv4-error.js";
export { RequestHeaders } from "./sigv4-headers.js";

/** Header pairs in arrival order, names as sent; or Node's flat `req.rawHeaders`, read as they are. */
export type HeaderSource = ReadonlyArray<readonly [string, string]> | RequestHeaders;

/** A request as its signature covers it; the edge passes `RequestHeaders`, tests pairs. */
export interface SigV4Request<Headers extends HeaderSource = ReadonlyArray<readonly [string, string]>> {
  method: string;
  /** the request target's path exactly as it arrived, before `?` (still percent-encoded as on the wire) */
  path: string;
  /** raw query string without the `?` ("" if none) */
  query: string;
  /**
   * the headers in arrival order, names as sent: pairs, or Node's `req.rawHeaders` read as they
   * are (`RequestHeaders.fromRaw`), which the edge uses so that it pairs nothing up
   */
  headers: Headers;
  /** the body bytes (may be empty) */
  body: Uint8Array;
}

export interface SigV4Options {
  now: Date;
  /** secret for an access key id, or undefined if unknown. Must be sync: the caller caches keys. */
  secretFor(accessKeyId: string): { secretAccessKey: string } | undefined;
  /** whether to normalise the URI path for this service; default: every service but s3 */
  normalizePath?(service: string): boolean;
  /**
   * whether this service takes `x-amz-content-sha256: UNSIGNED-PAYLOAD`, a signature that leaves
   * the body out; default: S3 and the services that sign as it does (`acceptsUnsignedPayload`)
   */
  unsignedPayload?(service: string): boolean;
  /** default 15 minutes */
  maxClockSkewMs?: number;
}

export interface VerifiedSignature {
  accessKeyId: string;
  region: string;
  service: string;
  signedAt: Date;
  /**
   * `X-Amz-Security-Token`, signed or not (some signers add it after signing). The caller must
   * check it belongs to `accessKeyId` before trusting a temporary credential.
   */
  sessionToken?: string;
  form: "header" | "query";
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const DEFAULT_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 60 * 60;
const keyCache = new SigningKeyCache();

/** S3 and its variants: the only services AWS lets sign over UNSIGNED-PAYLOAD instead of the body. */
const unsignedPayloadServices = new Set(["s3", "s3-object-lambda", "s3-outposts", "s3express"]);

/**
 * Whether AWS accepts `UNSIGNED-PAYLOAD` for `service`. Every other service hashes the body it
 * received whatever the header says, so a request signed over UNSIGNED-PAYLOAD fails there with a
 * signature mismatch; accepting it would let anyone who sees one signed request swap its body.
 */
export function acceptsUnsignedPayload(service: string): boolean {
  return unsignedPayloadServices.has(service);
}

/** What the request says about its own signature, before anything is checked against a key. */
interface Claim {
  form: "header" | "query";
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: readonly string[];
  /** the signed-header list as it goes into the canonical request */
  signedHeaderText: string;
  /** `date/region/service/aws4_request` */
  scope: string;
  signature: Buffer;
  /** the timestamp as it goes into the string to sign (ISO 8601 basic) */
  amzDate: string;
  signedAt: Date;
  expiresSeconds: number | undefined;
  sessionToken: string | undefined;
}

/** What a request says about its signature, read once and shared by `readCredentialScope` and `verifySigV4`. */
export interface SigV4Inspection {
  readonly headers: RequestHeaders;
  readonly params: QueryParam[];
  /** The credential scope the request claims, if it can be read at all. */
  readonly scope: CredentialScope | undefined;
}

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** Reads the headers, the query and the claimed credential scope once; never throws. */
export function inspectSigV4(req: SigV4Request<HeaderSource>): SigV4Inspection {
  const headers = req.headers instanceof RequestHeaders ? req.headers : RequestHeaders.fromPairs(req.headers);
  const params = parseQuery(req.query);
  return { headers, params, scope: scopeOf(headers, params) };
}

/** Throws SigV4Error unless `req` carries a valid SigV4 signature by a key `secretFor` knows. */
export function verifySigV4(
  req: SigV4Request<HeaderSource>,
  opts: SigV4Options,
  inspection: SigV4Inspection = inspectSigV4(req),
): VerifiedSignature {
  const { headers, params } = inspection;
  const claim = readClaim(headers, params);
  checkTime(claim, opts.now.getTime(), opts.maxClockSkewMs ?? DEFAULT_SKEW_MS);

  const secret = opts.secretFor(claim.accessKeyId);
  if (secret === undefined) {
    throw new SigV4Error("unknown-key", `The access key id ${claim.accessKeyId} is not known`);
  }
  const normalize = opts.normalizePath?.(claim.service) ?? claim.service !== "s3";
  const unsigned = opts.unsignedPayload?.(claim.service) ?? acceptsUnsignedPayload(claim.service);
  const payloadHash = payloadHashFor(req.body, headers, params, claim, unsigned);
  const signingKey = keyCache.signingKey(
    secret.secretAccessKey,
    claim.scopeDate,
    claim.region,
    claim.service,
  );
  // Everything in the canonical request but its query, which a presigned URL may sign without its token.
  const method = req.method;
  const uri = normalize ? normalizedUri(req.path) : literalUri(req.path);
  const tail = `${headers.canonicalBlock(claim.signedHeaders)}\n${claim.signedHeaderText}\n${payloadHash}`;
  let mismatch = attempt(claim, signingKey, method, uri, canonicalQueryOf(params, false), tail);
  // A presigned URL may get its session token appended after signing (aws-c-auth's
  // omit_session_token, used by e.g. IoT); nothing in the URL says which, so try both.
  if (
    mismatch !== undefined &&
    claim.form === "query" &&
    params.some((p) => p.name === "X-Amz-Security-Token") &&
    attempt(claim, signingKey, method, uri, canonicalQueryOf(params, true), tail) === undefined
  ) {
    mismatch = undefined;
  }
  if (mismatch !== undefined) {
    throw new SigV4Error(
      "signature-mismatch",
      "The request signature we calculated does not match the signature you provided",
      mismatch,
    );
  }
  const verified: VerifiedSignature = {
    accessKeyId: claim.accessKeyId,
    region: claim.region,
    service: claim.service,
    signedAt: claim.signedAt,
    form: claim.form,
  };
  if (claim.sessionToken !== undefined) verified.sessionToken = claim.sessionToken;
  return verified;
}

/**
 * Whether the claimed signature is the one over this canonical request: undefined when it is, else
 * what this side signed (for the error's message). The hashes are one-shot; the HMAC is the one
 * object a verification makes.
 */
function attempt(
  claim: Claim,
  signingKey: Buffer,
  method: string,
  uri: string,
  query: string,
  tail: string,
): { canonicalRequest: string; stringToSign: string } | undefined {
  const canonicalRequest = `${method}\n${uri}\n${query}\n${tail}`;
  const stringToSign = `${ALGORITHM}\n${claim.amzDate}\n${claim.scope}\n${sha256Hex(canonicalRequest)}`;
  const expected = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest();
  return timingSafeEqual(expected, claim.signature) ? undefined : { canonicalRequest, stringToSign };
}

/** Reads which service/region/access key a request claims, without verifying it (used to pick the protocol for error shapes). */
export function readCredentialScope(req: SigV4Request<HeaderSource>): CredentialScope | undefined {
  return inspectSigV4(req).scope;
}

function scopeOf(headers: RequestHeaders, params: QueryParam[]): CredentialScope | undefined {
  try {
    const auth = headers.single("authorization");
    // The usual header, already parsed for an earlier request: its credential is known.
    const known = auth !== undefined ? knownAuthorizationOrNot(auth) : undefined;
    if (known !== undefined) return known.prefix.credential.asScope;
    const credential =
      auth !== undefined
        ? /(?:^|[\s,])Credential=([^,\s]*)/.exec(auth)?.[1]
        : lookupParam(params, "X-Amz-Credential");
    if (credential === undefined) return undefined;
    return parseCredential(credential).asScope;
  } catch {
    return undefined;
  }
}

function readClaim(headers: RequestHeaders, params: QueryParam[]): Claim {
  const auth = headers.single("authorization");
  const presigned =
    params.length > 0 &&
    params.some(
      (p) => p.name === "X-Amz-Algorithm" || p.name === "X-Amz-Credential" || p.name === "X-Amz-Signature",
    );
  if (auth !== undefined && presigned) {
    throw malformed(
      "Only one auth mechanism allowed: the Authorization header or the X-Amz-* query parameters",
    );
  }
  if (auth !== undefined) return readHeaderClaim(auth, headers);
  if (presigned) return readQueryClaim(params, headers);
  throw new SigV4Error("missing", "Request is missing Authentication Token");
}

/** The Authorization header's fields but its signature: the part a client repeats on every request. */
interface AuthorizationPrefix {
  readonly credential: Credential;
  readonly signedHeaders: readonly string[];
  readonly signedHeaderText: string;
}

/** The Authorization header's fields. */
interface AuthorizationFields extends AuthorizationPrefix {
  readonly signatureText: string;
}

function parseAuthorization(auth: string): AuthorizationFields {
  const trimmed = auth.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new SigV4Error(
      "unsupported-algorithm",
      `Authorization uses ${algorithm}; only ${ALGORITHM} is supported`,
    );
  }
  const fields = new Map<string, string>();
  for (const piece of space < 0 ? [] : trimmed.slice(space + 1).split(",")) {
    const eq = piece.indexOf("=");
    const name = piece.slice(0, eq).trim();
    if (eq < 0 || !["Credential", "SignedHeaders", "Signature"].includes(name) || fields.has(name)) {
      throw malformed(`Authorization header has an unexpected component: ${JSON.stringify(piece.trim())}`);
    }
    fields.set(name, piece.slice(eq + 1).trim());
  }
  const field = (name: string) => {
    const value = fields.get(name);
    if (value === undefined) throw malformed(`Authorization header requires a '${name}' parameter`);
    return value;
  };
  const signedHeaderText = field("SignedHeaders");
  return {
    credential: parseCredential(field("Credential")),
    signedHeaders: parseSignedHeaders(signedHeaderText),
    signedHeaderText,
    signatureText: field("Signature"),
  };
}

/**
 * Everything but the signature repeats from one request to the next, so the header is parsed once
 * per distinct text before `Signature=`; the signature itself is always read fresh.
 */
const parseAuthorizationPrefix = boundedMemo((prefix: string): AuthorizationPrefix => {
  const fields = parseAuthorization(`${prefix}Signature=${"0".repeat(64)}`);
  return {
    credential: fields.credential,
    signedHeaders: fields.signedHeaders,
    signedHeaderText: fields.signedHeaderText,
  };
});

/** The prefix the last request sent, parsed: a client sends the same one again and again. */
let lastPrefix = "";
let lastParsed: AuthorizationPrefix | undefined;

const SIGNATURE_FIELD = "Signature=";

/**
 * The prefix of the common shape — Signature last, 64 hex digits, nothing after them but spaces —
 * parsed, or undefined for any other shape (then `parseAuthorization` reads it whole and says
 * what is wrong). Checked against the last request's prefix first, which costs one comparison.
 */
function knownAuthorization(auth: string): { prefix: AuthorizationPrefix; at: number } | undefined {
  const at = auth.lastIndexOf(SIGNATURE_FIELD);
  if (at < 0 || !isHexSignatureTail(auth, at + SIGNATURE_FIELD.length)) return undefined;
  if (lastParsed !== undefined && at === lastPrefix.length && auth.startsWith(lastPrefix)) {
    return { prefix: lastParsed, at };
  }
  const prefix = auth.slice(0, at);
  const parsed = parseAuthorizationPrefix(prefix);
  lastPrefix = prefix;
  lastParsed = parsed;
  return { prefix: parsed, at };
}

/** The same, undefined where the header is malformed: the scope is still read from it, leniently. */
function knownAuthorizationOrNot(auth: string): ReturnType<typeof knownAuthorization> {
  try {
    return knownAuthorization(auth);
  } catch {
    return undefined;
  }
}

/** 64 hex digits from `from`, then only whitespace. */
function isHexSignatureTail(text: string, from: number): boolean {
  if (text.length < from + 64) return false;
  for (let i = from; i < from + 64; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) return false;
  }
  for (let i = from + 64; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0b && c !== 0x0c) {
      return /^\s*$/.test(text.slice(i));
    }
  }
  return true;
}

function readHeaderClaim(auth: string, headers: RequestHeaders): Claim {
  const known = knownAuthorization(auth);
  let fields: AuthorizationPrefix;
  let signature: Buffer;
  if (known !== undefined) {
    fields = known.prefix;
    const from = known.at + SIGNATURE_FIELD.length;
    signature = Buffer.from(auth.slice(from, from + 64), "hex");
  } else {
    const parsed = parseAuthorization(auth);
    fields = parsed;
    signature = parseSignature(parsed.signatureText);
  }
  const amzDate = headers.single("x-amz-date");
  const httpDate = amzDate === undefined ? headers.single("date") : undefined;
  const signed = amzDate !== undefined ? parseAmzDate(amzDate) : parseHttpDate(httpDate);
  if (signed === undefined) {
    throw malformed("Authorization header requires an X-Amz-Date or Date header in ISO 8601 basic format");
  }
  const { credential } = fields;
  checkScopeDate(signed, credential.scopeDate);
  return {
    form: "header",
    accessKeyId: credential.accessKeyId,
    scopeDate: credential.scopeDate,
    region: credential.region,
    service: credential.service,
    signedHeaders: fields.signedHeaders,
    signedHeaderText: fields.signedHeaderText,
    scope: credential.scope,
    signature,
    amzDate: signed.amzDate,
    signedAt: signed.signedAt,
    expiresSeconds: undefined,
    sessionToken: headers.single("x-amz-security-token"),
  };
}

function readQueryClaim(params: QueryParam[], headers: RequestHeaders): Claim {
  const param = (name: string) => {
    const value = lookupParam(params, name);
    if (value === undefined) throw malformed(`Presigned URL requires the ${name} query parameter`);
    return value;
  };
  const algorithm = param("X-Amz-Algorithm");
  if (algorithm !== ALGORITHM) {
    throw new SigV4Error(
      "unsupported-algorithm",
      `X-Amz-Algorithm is ${algorithm}; only ${ALGORITHM} is supported`,
    );
  }
  const credential = parseCredential(param("X-Amz-Credential"));
  const signedHeaderText = param("X-Amz-SignedHeaders");
  const signedHeaders = parseSignedHeaders(signedHeaderText);
  const signature = parseSignature(param("X-Amz-Signature"));
  const signed = parseAmzDate(param("X-Amz-Date"));
  if (signed === undefined) throw malformed("X-Amz-Date must be in ISO 8601 basic format (yyyyMMddTHHmmssZ)");
  const expires = param("X-Amz-Expires");
  const expiresSeconds = /^\d{1,7}$/.test(expires) ? Number(expires) : Number.NaN;
  if (!(expiresSeconds <= MAX_PRESIGNED_EXPIRES_S)) {
    throw malformed(`X-Amz-Expires must be a whole number of seconds from 0 to ${MAX_PRESIGNED_EXPIRES_S}`);
  }
  checkScopeDate(signed, credential.scopeDate);
  return {
    form: "query",
    accessKeyId: credential.accessKeyId,
    scopeDate: credential.scopeDate,
    region: credential.region,
    service: credential.service,
    signedHeaders,
    signedHeaderText,
    scope: credential.scope,
    signature,
    amzDate: signed.amzDate,
    signedAt: signed.signedAt,
    expiresSeconds,
    sessionToken: lookupParam(params, "X-Amz-Security-Token") ?? headers.single("x-amz-security-token"),
  };
}

/** A credential scope as parsed: its fields, the scope line of the string to sign, and as `CredentialScope`. */
interface Credential {
  readonly accessKeyId: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly scope: string;
  readonly asScope: CredentialScope;
}

function parseCredentialText(credential: string): Credential {
  const parts = credential.split("/");
  const [accessKeyId, scopeDate, region, service, terminator] = parts;
  const name = /^[A-Za-z0-9._-]+$/;
  if (
    parts.length !== 5 ||
    accessKeyId === undefined ||
    !/^[!-~]+$/.test(accessKeyId) ||
    scopeDate === undefined ||
    !/^\d{8}$/.test(scopeDate) ||
    region === undefined ||
    !name.test(region) ||
    service === undefined ||
    !name.test(service) ||
    terminator !== "aws4_request"
  ) {
    throw malformed(
      `Credential should be scoped to a valid region and service, as <key>/<yyyyMMdd>/<region>/<service>/aws4_request; got ${JSON.stringify(credential)}`,
    );
  }
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    scope: `${scopeDate}/${region}/${service}/aws4_request`,
    asScope: { accessKeyId, date: scopeDate, region, service },
  };
}

function parseSignedHeadersText(list: string): readonly string[] {
  const names = list.split(";");
  if (names.some((n) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(n)) || new Set(names).size !== names.length) {
    throw malformed(
      `SignedHeaders must be distinct lowercase header names separated by ';'; got ${JSON.stringify(list)}`,
    );
  }
  if (!names.includes("host")) throw malformed("SignedHeaders must include host");
  return names;
}

function parseSignature(signature: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) throw malformed("Signature must be 64 hexadecimal digits");
  return Buffer.from(signature, "hex");
}

function checkScopeDate(signed: SignedTime, scopeDate: string): void {
  if (!signed.amzDate.startsWith(scopeDate)) {
    throw malformed(
      `Date in Credential scope (${scopeDate}) does not match the request date ${signed.amzDate}`,
    );
  }
}

function checkTime(claim: Claim, now: number, skewMs: number): void {
  const at = claim.signedAt.getTime();
  if (at - now > skewMs) {
    throw new SigV4Error(
      "not-yet-valid",
      `Signature not yet current: ${claim.amzDate} is later than now plus the allowed skew`,
    );
  }
  if (claim.expiresSeconds === undefined ? now - at > skewMs : now > at + claim.expiresSeconds * 1000) {
    throw new SigV4Error("expired", `Signature expired: ${claim.amzDate} is too old for the current time`);
  }
}

/**
 * The payload hash line: the sender's declared hash if any (checked against the body), else our own.
 * `UNSIGNED-PAYLOAD` stands for the body only where `unsignedAllowed`; elsewhere the body's own
 * hash goes in, as AWS does, so a request signed over UNSIGNED-PAYLOAD does not match.
 */
function payloadHashFor(
  body: Uint8Array,
  headers: RequestHeaders,
  params: QueryParam[],
  claim: Claim,
  unsignedAllowed: boolean,
): string {
  let declared = headers.single("x-amz-content-sha256")?.trim();
  // The SDK's presigner hoists x-amz-* headers into the query, this one included.
  if (declared === undefined && claim.form === "query") {
    declared = params.find((p) => p.name.toLowerCase() === "x-amz-content-sha256")?.value;
  }
  if (declared === undefined) {
    // S3 presigned URLs are signed over UNSIGNED-PAYLOAD without saying so; other services hash the body.
    return claim.form === "query" && unsignedAllowed ? UNSIGNED_PAYLOAD : sha256Hex(body);
  }
  if (declared === UNSIGNED_PAYLOAD) return unsignedAllowed ? declared : sha256Hex(body);
  if (/^[0-9a-fA-F]{64}$/.test(declared)) {
    if (declared.toLowerCase() !== sha256Hex(body)) {
      throw new SigV4Error(
        "signature-mismatch",
        "The x-amz-content-sha256 header does not match the body's SHA-256",
      );
    }
    return declared;
  }
  if (declared.startsWith("STREAMING-")) {
    throw new SigV4Error("unsupported-algorithm", `Chunked payload signing (${declared}) is not supported`);
  }
  throw malformed(
    `x-amz-content-sha256 must be a hex SHA-256 or ${UNSIGNED_PAYLOAD}; got ${JSON.stringify(declared)}`,
  );
}

/** A signing time, and the text of it that goes into the string to sign (ISO 8601 basic). */
interface SignedTime {
  readonly signedAt: Date;
  readonly amzDate: string;
}

function parseAmzDateText(value: string): SignedTime | null {
  const amzDate = value.trim();
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const signedAt = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 20150230 over to March (and 25:00 into tomorrow); a real timestamp keeps its fields.
  const real =
    signedAt.getUTCFullYear() === y &&
    signedAt.getUTCMonth() === mo - 1 &&
    signedAt.getUTCDate() === d &&
    signedAt.getUTCHours() === h &&
    signedAt.getUTCMinutes() === mi &&
    signedAt.getUTCSeconds() === s;
  return real ? { signedAt, amzDate } : null;
}

// Clients repeat these strings request after request; parse each once.
const parseCredential = boundedMemo(parseCredentialText);
const parseSignedHeaders = boundedMemo(parseSignedHeadersText);
const parseAmzDateMemo = boundedMemo(parseAmzDateText);
function parseAmzDate(value: string): SignedTime | undefined {
  return parseAmzDateMemo(value) ?? undefined;
}

/** The `Date` header fallback: IMF-fixdate ("Sun, 30 Aug 2015 12:36:00 GMT") or ISO 8601 basic. */
function parseHttpDate(value: string | undefined): SignedTime | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim())) {
    return parseAmzDate(value);
  }
  const signedAt = new Date(value.trim());
  return Number.isNaN(signedAt.getTime()) ? undefined : { signedAt, amzDate: formatAmzDate(signedAt) };
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, "");
}

function sha256Hex(data: string | Uint8Array): string {
  return hash("sha256", data, "hex");
}
