/**
 * Writes the answers of one turn of the event loop together. An answer is queued when it is
 * ready and every queued answer is written once the turn's I/O callbacks have all run
 * (`setImmediate`), so the answers to the requests that arrived together leave in one burst and
 * the client is woken once for the lot rather than once per answer: on a busy edge the wake-ups,
 * not the bytes, are what a write costs. (Corking the sockets instead does nothing: Node's
 * `res.end()` uncorks its socket fully.)
 */
import type { ServerResponse } from "node:http";
import type { WireResponse } from "./wire.js";

export class ResponseWriter {
  #responses: ServerResponse[] = [];
  #answers: WireResponse[] = [];
  readonly #flush = (): void => {
    const responses = this.#responses;
    const answers = this.#answers;
    this.#responses = [];
    this.#answers = [];
    for (let i = 0; i < responses.length; i++) write(responses[i]!, answers[i]!);
  };

  /** Writes `out` as `res`'s whole answer at the end of this turn. */
  send(res: ServerResponse, out: WireResponse): void {
    if (this.#responses.push(res) === 1) setImmediate(this.#flush);
    this.#answers.push(out);
  }
}

function write(res: ServerResponse, out: WireResponse): void {
  // The client may have gone meanwhile; writing to a destroyed response is a no-op, as it was.
  const body = out.body;
  out.headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.length);
  res.writeHead(out.status, out.headers);
  res.end(body);
}
