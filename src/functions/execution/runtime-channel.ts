/**
 * The framed channel between Jeff and its own runtime clients: a Unix socket pair whose far end
 * the runtime process inherits (as descriptor 3), instead of HTTP to the Runtime API server.
 * One frame each way per invocation: Jeff sends the event; the runtime sends its result, which
 * also asks for the next event. The descriptor passes through bubblewrap as it is, so the
 * sandbox's network (and pasta's wake-ups) is not on the warm path, and no other process on the
 * host can reach the channel at all. Custom `provided` runtimes keep the HTTP Runtime API.
 *
 * A frame: head length (u32 LE), body length (u32 LE), the head (UTF-8 JSON), the body.
 * Runtime → Jeff heads: `{ k: "next" }`, `{ k: "response" | "error", id, t?, s, n? }` (`t` the
 * error type, `s` which streams carry a sync marker for `id` — 1 stdout, 2 stderr — and `n` set
 * when the runtime waits for the next event), `{ k: "init-error", t? }`.
 * Jeff → runtime: `{ id, d, a, x?, c? }` (request id, deadline in ms, invoked ARN, trace id,
 * client context), the event as the body.
 *
 * Invariant: the reader never holds more than the payload limit of one body, whatever lengths a
 * hostile runtime writes; a body over the limit is skipped and reported as too large.
 */

/** A runtime's frame: its head parsed, its body (or `undefined` when the body was over the limit). */
export interface RuntimeFrame {
  readonly head: Readonly<Record<string, unknown>>;
  readonly body: Buffer | undefined;
}

/** The fixed part of a frame: the two lengths. */
const prefixBytes = 8;
/** A head is a few short fields; anything longer is not Jeff's client speaking. */
const maxHeadBytes = 64 * 1024;

export class ChannelProtocolError extends Error {
  constructor(what: string) {
    super(`the runtime's channel carried ${what}`);
    this.name = "ChannelProtocolError";
  }
}

/** Cuts a byte stream into frames; chunks are kept as they come and joined once per body. */
export class FrameReader {
  readonly #maxBody: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** The frame being read: its head parsed, its body not yet complete. */
  #current: { head: Record<string, unknown>; bodyBytes: number } | undefined;
  /** Bytes still to skip of a body over the limit. */
  #skipping = 0;

  constructor(maxBodyBytes: number) {
    this.#maxBody = maxBodyBytes;
  }

  /** The frames completed by `chunk`; throws ChannelProtocolError on a malformed frame. */
  push(chunk: Buffer): RuntimeFrame[] {
    const frames: RuntimeFrame[] = [];
    if (this.#skipping > 0) {
      const skipped = Math.min(this.#skipping, chunk.length);
      this.#skipping -= skipped;
      chunk = chunk.subarray(skipped);
    }
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    for (;;) {
      if (this.#skipping > 0) return frames;
      if (!this.#current) {
        if (this.#buffered < prefixBytes) return frames;
        const prefix = this.#peek(prefixBytes);
        const headBytes = prefix.readUInt32LE(0);
        const bodyBytes = prefix.readUInt32LE(4);
        if (headBytes > maxHeadBytes) throw new ChannelProtocolError("an oversized head");
        if (this.#buffered < prefixBytes + headBytes) return frames;
        this.#take(prefixBytes);
        let head: unknown;
        try {
          head = JSON.parse(this.#take(headBytes).toString("utf8"));
        } catch {
          throw new ChannelProtocolError("a head that is not JSON");
        }
        if (typeof head !== "object" || head === null || Array.isArray(head))
          throw new ChannelProtocolError("a head that is not an object");
        this.#current = { head: head as Record<string, unknown>, bodyBytes };
      }
      const { head, bodyBytes } = this.#current;
      if (bodyBytes > this.#maxBody) {
        // Skipped as it arrives, never held.
        this.#current = undefined;
        const skipped = Math.min(bodyBytes, this.#buffered);
        this.#take(skipped);
        this.#skipping = bodyBytes - skipped;
        frames.push({ head, body: undefined });
        continue;
      }
      if (this.#buffered < bodyBytes) return frames;
      this.#current = undefined;
      frames.push({ head, body: this.#take(bodyBytes) });
    }
  }

  /** The first `n` buffered bytes, without consuming them. */
  #peek(n: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.#chunks).subarray(0, n);
  }

  /** Consumes and returns the first `n` buffered bytes. */
  #take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.#chunks);
      out = joined.subarray(0, n);
      this.#chunks = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.#buffered -= n;
    return out;
  }
}

/** A frame's bytes as buffers to write together (one writev): the lengths and head, then the body. */
export function frameParts(head: object, body: Buffer): [Buffer, Buffer] {
  const headText = JSON.stringify(head);
  const headBytes = Buffer.byteLength(headText);
  const start = Buffer.allocUnsafe(prefixBytes + headBytes);
  start.writeUInt32LE(headBytes, 0);
  start.writeUInt32LE(body.length, 4);
  start.write(headText, prefixBytes, "utf8");
  return [start, body];
}
