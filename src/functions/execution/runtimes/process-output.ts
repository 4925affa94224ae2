/**
 * A runtime process's stdout and stderr, cut into per-invocation pieces. The runtime client
 * writes a sync marker to both streams after each invocation, before it posts the result; the
 * host waits for both markers, so output written just before the result is never attributed
 * to the next invocation. (Pipes keep order per stream, not across a pipe and a socket.)
 * Jeff's Node client marks only the streams written since the last markers and says which with
 * its result (on its channel; over HTTP, `Jeff-Output: none` when it wrote to neither): a stream
 * it did not write to has nothing to wait for. With no marker at all the host only lets one turn
 * of the event loop read the pipes, as for runtimes that write no markers.
 *
 * A record that spans lines but is one log event on Lambda (a Python log record or error, which
 * Lambda's runtime client hands over whole) is written with NUL before each newline inside it:
 * the log keeps plain newlines, the log group one event (`logEventsOf`). Two NULs before the
 * newline that ends a record leave that newline out of the event, as Lambda's Python errors are.
 */
import type { Readable } from "node:stream";

const markerStart = "\u0000jeff-sync:";
/** A newline inside one record: the record goes on past it as the same log event. */
export const recordLineBreak = "\u0000\n";
/** The newline after a record whose event has none (Lambda's Python errors): the log's only. */
export const recordEndBare = "\u0000\u0000\n";

/** The log as text: the records' markers taken out, their lines plain lines. */
export function plainLog(text: string): string {
  return text.replaceAll(recordEndBare, "\n").replaceAll(recordLineBreak, "\n");
}
/** Output kept per invocation; a function that writes more loses the rest of it, not Jeff's memory. */
const maxCapturedChars = 1024 * 1024;

export type StreamName = "stdout" | "stderr";

export class ProcessOutput {
  #text = "";
  #truncated = false;
  readonly #held: Record<StreamName, string> = { stdout: "", stderr: "" };
  readonly #seen: Record<StreamName, Set<string>> = { stdout: new Set(), stderr: new Set() };
  readonly #ended: Record<StreamName, boolean> = { stdout: false, stderr: false };
  readonly #waiters = new Set<() => void>();

  constructor(stdout: Readable, stderr: Readable) {
    this.#attach("stdout", stdout);
    this.#attach("stderr", stderr);
  }

  /** The output since the last take. */
  take(): string {
    const text = this.#truncated
      ? `${this.#text}\n[output truncated by Jeff at ${maxCapturedChars} characters]\n`
      : this.#text;
    this.#text = "";
    this.#truncated = false;
    return text;
  }

  /** Whether the output so far mentions V8 running out of heap. */
  mentions(needle: string): boolean {
    return this.#text.includes(needle);
  }

  /** Resolves once `streams` passed the marker for `id` (or ended), or after `maxWaitMs`. */
  async synced(
    id: string,
    maxWaitMs: number,
    streams: readonly StreamName[] = ["stdout", "stderr"],
  ): Promise<void> {
    const done = () => streams.every((s) => this.#ended[s] || this.#seen[s].has(id));
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const expiry = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        expired = true;
        resolve();
      }, maxWaitMs);
    });
    while (!done() && !expired) await Promise.race([this.#changed(), expiry]);
    clearTimeout(timer);
    this.#seen.stdout.delete(id);
    this.#seen.stderr.delete(id);
  }

  /** Resolves when both streams have ended (the process is gone). */
  async ended(): Promise<void> {
    while (!this.#ended.stdout || !this.#ended.stderr) await this.#changed();
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  #notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  #attach(name: StreamName, stream: Readable): void {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => this.#feed(name, chunk));
    stream.on("close", () => {
      this.#append(this.#held[name]);
      this.#held[name] = "";
      this.#ended[name] = true;
      this.#notify();
    });
    stream.on("error", () => undefined);
  }

  #feed(name: StreamName, chunk: string): void {
    let buffer = this.#held[name] + chunk;
    this.#held[name] = "";
    for (;;) {
      const start = buffer.indexOf(markerStart);
      if (start < 0) {
        // Hold back a tail that may be the beginning of a marker split across chunks.
        const nul = buffer.lastIndexOf("\u0000");
        if (nul >= 0 && markerStart.startsWith(buffer.slice(nul))) {
          this.#held[name] = buffer.slice(nul);
          buffer = buffer.slice(0, nul);
        }
        this.#append(buffer);
        break;
      }
      const end = buffer.indexOf("\u0000", start + markerStart.length);
      this.#append(buffer.slice(0, start));
      if (end < 0) {
        this.#held[name] = buffer.slice(start);
        break;
      }
      this.#seen[name].add(buffer.slice(start + markerStart.length, end));
      buffer = buffer.slice(end + 1);
    }
    this.#notify();
  }

  #append(text: string): void {
    if (!text) return;
    const room = maxCapturedChars - this.#text.length;
    if (text.length > room) {
      this.#text += text.slice(0, Math.max(0, room));
      this.#truncated = true;
    } else this.#text += text;
  }
}

/** The log's events, each with its newline: one per line, a marked record whole. */
export function logEventsOf(text: string): string[] {
  const events: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    if (line.endsWith("\u0000\u0000")) {
      events.push(`${current}${line.slice(0, -2)}`);
      current = "";
      continue;
    }
    if (line.endsWith("\u0000")) {
      current += `${line.slice(0, -1)}\n`;
      continue;
    }
    current += line;
    if (current.length > 0) events.push(`${current}\n`);
    current = "";
  }
  if (current.length > 0) events.push(current);
  return events;
}
