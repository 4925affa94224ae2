/**
 * Why an Invoke payload is not JSON, in the words Lambda uses. Lambda parses payloads with
 * Jackson, byte by byte, and answers `InvalidRequestContentException` with Jackson's message and
 * location; a client (the AWS CLI v2 given raw text where it expects base64, say) sees exactly that.
 * Jeff words an error in the document's first character as Jackson does (a control character, a
 * stray ASCII character or word), and any other with the JavaScript parser's description in the
 * same frame.
 */

const expectedValue = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/** `InvalidRequestContentException`'s message for a payload that does not parse, or undefined if it does. */
export function payloadJsonError(body: Buffer): string | undefined {
  try {
    JSON.parse(body.toString("utf8"));
    return undefined;
  } catch (error) {
    const detail = leadingValueError(body) ?? (error instanceof Error ? error.message : "not JSON");
    return `Could not parse request body into json: Could not parse payload into json: ${detail}`;
  }
}

/** Jackson's message when the document's first token cannot start a value; undefined otherwise. */
function leadingValueError(body: Buffer): string | undefined {
  let line = 1;
  let lineStart = 0;
  let at = 0;
  while (at < body.length && isJsonWhitespace(body[at]!)) {
    if (body[at] === 0x0a) {
      line++;
      lineStart = at + 1;
    }
    at++;
  }
  if (at >= body.length) return undefined;
  const byte = body[at]!;
  // A byte of a UTF-8 sequence Jackson would decode first: its words for those are not known here.
  if (startsValue(byte) || byte >= 0xa0) return undefined;
  const where = `\n at [Source: REDACTED (\`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION\` disabled); line: ${line}, column: ${at - lineStart + 1}]`;
  if (isJavaIdentifierStart(byte)) {
    let end = at + 1;
    while (end < body.length && isJavaIdentifierPart(body[end]!)) end++;
    const token = body.subarray(at, end).toString("ascii");
    return `Unrecognized token '${token}': was expecting ${expectedValue}${where}`;
  }
  return `Unexpected character (${characterDescription(byte)}): expected a valid value ${expectedValue}${where}`;
}

/** Jackson's `_getCharDesc` for one byte (its UTF-8 parser reports the byte's value). */
function characterDescription(byte: number): string {
  if (byte < 0x20 || (byte >= 0x7f && byte <= 0x9f)) return `(CTRL-CHAR, code ${byte})`;
  return `'${String.fromCharCode(byte)}' (code ${byte})`;
}

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** `"`, `{`, `[`, `-`, a digit, or the first letter of `true`, `false`, `null`. */
function startsValue(byte: number): boolean {
  return (
    byte === 0x22 ||
    byte === 0x7b ||
    byte === 0x5b ||
    byte === 0x2d ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x74 ||
    byte === 0x66 ||
    byte === 0x6e
  );
}

/** Java's `Character.isJavaIdentifierStart` / `…Part`, for ASCII. */
function isJavaIdentifierStart(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x24 || byte === 0x5f;
}

function isJavaIdentifierPart(byte: number): boolean {
  return isJavaIdentifierStart(byte) || (byte >= 0x30 && byte <= 0x39);
}
