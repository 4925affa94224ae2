/**
 * A request's headers as SigV4 reads them, straight from Node's flat `req.rawHeaders` (name,
 * value, name, value, … in arrival order): names compared lowercased, a repeated name's values
 * joined in the order they came. Built without a map or an array per name, because the edge
 * builds one for every request.
 */
import { malformed } from "./sigv4-error.js";

export class RequestHeaders {
  /** Every header's name, lowercased, at the index of its pair. */
  readonly #names: string[];
  /** The flat list: the value of pair `i` is at `2 * i + 1`. */
  readonly #raw: readonly string[];

  private constructor(raw: readonly string[]) {
    const count = raw.length >> 1;
    const names = new Array<string>(count);
    for (let i = 0; i < count; i++) names[i] = raw[2 * i]!.toLowerCase();
    this.#names = names;
    this.#raw = raw;
  }

  /** Node's `req.rawHeaders`. */
  static fromRaw(raw: readonly string[]): RequestHeaders {
    return new RequestHeaders(raw);
  }

  /** Header pairs in arrival order, names as sent. */
  static fromPairs(pairs: ReadonlyArray<readonly [string, string]>): RequestHeaders {
    const raw: string[] = [];
    for (const [name, value] of pairs) raw.push(name, value);
    return new RequestHeaders(raw);
  }

  /** The value of a header that may be sent once; undefined when absent. */
  single(name: string): string | undefined {
    const names = this.#names;
    let found: string | undefined;
    for (let i = 0; i < names.length; i++) {
      if (names[i] !== name) continue;
      if (found !== undefined) throw malformed(`The request has more than one ${name} header`);
      found = this.#raw[2 * i + 1]!;
    }
    return found;
  }

  /** The canonical request's header lines: `name:value[,value…]\n` for each signed name, in order. */
  canonicalBlock(signedHeaders: readonly string[]): string {
    const names = this.#names;
    let block = "";
    for (const name of signedHeaders) {
      let line: string | undefined;
      for (let i = 0; i < names.length; i++) {
        if (names[i] !== name) continue;
        const value = trimAll(this.#raw[2 * i + 1]!);
        line = line === undefined ? value : `${line},${value}`;
      }
      if (line === undefined)
        throw malformed(`SignedHeaders names ${name}, but the request has no such header`);
      block += `${name}:${line}\n`;
    }
    return block;
  }
}

/** Unfolds obs-fold line breaks, trims, and collapses runs of spaces: "a   b" signs as "a b". */
function trimAll(value: string): string {
  // Most values need nothing done; one test is cheaper than two replacements.
  if (!/[\t\r\n]| {2}|^ | $/.test(value)) return value;
  return value.replace(/[ \t\r\n]+/g, " ").replace(/^ | $/g, "");
}
