/**
 * The canonical request's parts, rebuilt byte for byte the way AWS's signers build them: the URI
 * (normalised or not) and the query (decoded, strictly re-encoded, sorted), plus the query parsing
 * they start from. The header lines are `RequestHeaders.canonicalBlock` (`sigv4-headers.ts`).
 */
import { boundedMemo } from "./bounded-memo.js";
import { malformed } from "./sigv4-error.js";

export interface QueryParam {
  /** decoded, for looking parameters up */
  name: string;
  value: string;
  /** strictly re-encoded, for the canonical query */
  encodedName: string;
  encodedValue: string;
}

/**
 * The canonical URI (exported for tests and diagnostics).
 * With `normalize` (every service but S3), dot segments and empty segments are removed and the
 * result is encoded again, so `%20` on the wire becomes `%2520`, as AWS's signers do. Without it
 * (S3) the path is used as sent, with only bytes that cannot appear in a URI encoded.
 */
export function canonicalUri(path: string, normalize: boolean): string {
  if (!normalize) return percentEncode(Buffer.from(path || "/", "utf8"), true, true);
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
  return percentEncode(Buffer.from(`/${segments.join("/")}${trailing}`, "utf8"), true, false);
}

export const normalizedUri = boundedMemo((path) => canonicalUri(path, true));

export const literalUri = boundedMemo((path) => canonicalUri(path, false));

/** The canonical form of a raw query string (exported for tests and diagnostics). */
export function canonicalQuery(query: string): string {
  return canonicalQueryOf(parseQuery(query), false);
}

/** Sorted by encoded name, then encoded value; X-Amz-Signature (and, if asked, the session token) left out. */
export function canonicalQueryOf(params: readonly QueryParam[], dropSessionToken: boolean): string {
  if (params.length === 0) return "";
  return params
    .filter((p) => p.name !== "X-Amz-Signature" && !(dropSessionToken && p.name === "X-Amz-Security-Token"))
    .map((p) => [p.encodedName, p.encodedValue] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** Splits on `&` and the first `=`; `+` is a literal plus, as AWS's signers send spaces as `%20`. */
export function parseQuery(query: string): QueryParam[] {
  const params: QueryParam[] = [];
  if (query === "") return params;
  for (const piece of query.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const name = percentDecode(eq < 0 ? piece : piece.slice(0, eq));
    const value = percentDecode(eq < 0 ? "" : piece.slice(eq + 1));
    params.push({
      name: name.toString("utf8"),
      value: value.toString("utf8"),
      encodedName: percentEncode(name, false, false),
      encodedValue: percentEncode(value, false, false),
    });
  }
  return params;
}

export function lookupParam(params: readonly QueryParam[], name: string): string | undefined {
  const found = params.filter((p) => p.name === name);
  if (found.length > 1) throw malformed(`The query has more than one ${name} parameter`);
  return found[0]?.value;
}

const UNRESERVED = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
  UNRESERVED[c.charCodeAt(0)] = 1;

const ESCAPES = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`);

const SLASH = 0x2f;

const PERCENT = 0x25;

function isHex(b: number | undefined): boolean {
  return (
    b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))
  );
}

/** Every byte outside A-Za-z0-9-_.~ becomes %XX, except `/` and existing escapes when asked to keep them. */
export function percentEncode(bytes: Uint8Array, keepSlash: boolean, keepEscapes: boolean): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const keep =
      UNRESERVED[b] === 1 ||
      (keepSlash && b === SLASH) ||
      (keepEscapes && b === PERCENT && isHex(bytes[i + 1]) && isHex(bytes[i + 2]));
    out += keep ? String.fromCharCode(b) : ESCAPES[b];
  }
  return out;
}

/** Decodes to bytes, not text, so escapes of invalid UTF-8 survive the round trip; a stray `%` stays literal. */
function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === PERCENT && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out[n++] = Number.parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16);
      i += 2;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}
