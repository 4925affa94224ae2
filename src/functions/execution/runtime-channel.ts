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
 * when the runtime waits for the next event), `{ k: "init-error", t? }`, and from a pooled runtime
 * (environment-pool.ts's slots) `{ k: "standby" }` once it is up and waits for its configuration.
 * Jeff → runtime: `{ id, d, a, x?, c? }` (request id, deadline in ms, invoked ARN, trace id,
 * client context), the event as the body; to a pooled runtime first `{ k: "config" }`, its
 * environment variables as a JSON object in the body.
 *
 * Invariant: the reader never holds more than the payload limit of one body (and a head of at most
 * 64 KiB), whatever lengths or however small the writes a hostile runtime makes; a body over the
 * limit is skipped and reported as too large.
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

/**
 * Cuts a byte stream into frames. A frame that a chunk holds whole is taken as views of it (the
 * usual case: a runtime writes each frame in one write); otherwise each part of a frame — the
 * lengths, the head, the body — is copied as it arrives into a buffer of its announced size, so
 * what is held is what was received, however small the reads a runtime makes, and the work grows
 * with the bytes, never with the number of reads. Chunks must not be reused after `push` (a
 * socket's `data` chunks are not, unless it is given a read buffer with `onread`), and a body
 * taken as a view keeps its read's buffer alive while it is held.
 */
export class FrameReader {
  readonly #maxBody: number;
  /** The part being filled: the prefix, then the head, then the body (absent while skipping). */
  #part = Buffer.allocUnsafe(prefixBytes);
  #filled = 0;
  #stage: "prefix" | "head" | "body" = "prefix";
  #bodyBytes = 0;
  #head: Record<string, unknown> | undefined;
  /** Bytes still to skip of a body over the limit. */
  #skipping = 0;

  constructor(maxBodyBytes: number) {
    this.#maxBody = maxBodyBytes;
  }

  /** The frames completed by `chunk`; throws ChannelProtocolError on a malformed frame. */
  push(chunk: Buffer): RuntimeFrame[] {
    const frames: RuntimeFrame[] = [];
    let at = 0;
    // The usual read: whole frames at the start of a chunk, taken as views of it, without copies.
    while (
      this.#stage === "prefix" &&
      this.#filled === 0 &&
      this.#skipping === 0 &&
      chunk.length - at >= prefixBytes
    ) {
      const headBytes = chunk.readUInt32LE(at);
      const bodyBytes = chunk.readUInt32LE(at + 4);
      const end = at + prefixBytes + headBytes + bodyBytes;
      if (headBytes > maxHeadBytes || bodyBytes > this.#maxBody || end > chunk.length) break;
      const head = parseHead(chunk.toString("utf8", at + prefixBytes, at + prefixBytes + headBytes));
      frames.push({ head, body: chunk.subarray(end - bodyBytes, end) });
      at = end;
    }
    if (at === chunk.length) return frames;
    for (;;) {
      if (this.#skipping > 0) {
        const skipped = Math.min(this.#skipping, chunk.length - at);
        this.#skipping -= skipped;
        at += skipped;
        if (this.#skipping > 0) return frames;
        this.#begin();
      }
      const copied = chunk.copy(this.#part, this.#filled, at);
      this.#filled += copied;
      at += copied;
      if (this.#filled < this.#part.length) return frames;
      const frame = this.#completePart();
      if (frame) frames.push(frame);
    }
  }

  /** The part just filled moves the frame on; a finished frame is returned. */
  #completePart(): RuntimeFrame | undefined {
    switch (this.#stage) {
      case "prefix": {
        const headBytes = this.#part.readUInt32LE(0);
        this.#bodyBytes = this.#part.readUInt32LE(4);
        if (headBytes > maxHeadBytes) throw new ChannelProtocolError("an oversized head");
        this.#stage = "head";
        this.#part = Buffer.allocUnsafe(headBytes);
        this.#filled = 0;
        return this.#part.length === 0 ? this.#completePart() : undefined;
      }
      case "head": {
        const head = parseHead(this.#part.toString("utf8"));
        if (this.#bodyBytes > this.#maxBody) {
          // Skipped as it arrives, never held.
          this.#skipping = this.#bodyBytes;
          this.#part = Buffer.alloc(0);
          this.#filled = 0;
          return { head, body: undefined };
        }
        this.#head = head;
        this.#stage = "body";
        this.#part = Buffer.allocUnsafe(this.#bodyBytes);
        this.#filled = 0;
        return this.#part.length === 0 ? this.#completePart() : undefined;
      }
      case "body": {
        const frame = { head: this.#head as Record<string, unknown>, body: this.#part };
        this.#begin();
        return frame;
      }
    }
  }

  /** Ready for the next frame's prefix. */
  #begin(): void {
    this.#stage = "prefix";
    this.#part = Buffer.allocUnsafe(prefixBytes);
    this.#filled = 0;
    this.#head = undefined;
  }
}

function parseHead(text: string): Record<string, unknown> {
  let head: unknown;
  try {
    head = JSON.parse(text);
  } catch {
    throw new ChannelProtocolError("a head that is not JSON");
  }
  if (typeof head !== "object" || head === null || Array.isArray(head))
    throw new ChannelProtocolError("a head that is not an object");
  return head as Record<string, unknown>;
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
