/**
 * `GET /_jeff/events?after=SEQ` (signed): the outbox as a stream of NDJSON lines — first
 * `{"seq":START}`, then `{"seq":N,"event":{…}}` for each event of the caller's account — from just
 * after `after`, or from now when it is absent, and then live. A reader that lost its connection reconnects with the last `seq`
 * it saw and misses nothing still kept.
 */
import type { ServerResponse } from "node:http";
import type { SignedRoute } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { latestOutboxSeq, type OutboxSignal, readOutbox } from "./outbox.js";

/** A blank line this often tells a quiet reader the stream is alive, and finds readers that left. */
const keepAliveMs = 15_000;
const batchSize = 500;

/** Resolves once `res` can take more, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** The stream's route, and a way to end every open stream when the server stops. */
export interface OutboxStream {
  readonly route: SignedRoute;
  /** Ends every open stream; readers reconnect to whichever Jeff serves the store next. */
  closeAll(): void;
}

export function outboxStream(store: Store, signal: OutboxSignal): OutboxStream {
  const open = new Set<ServerResponse>();
  const route: SignedRoute = (req, res, { caller, query }) => {
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    const after = query.get("after");
    if (after !== null && !/^\d+$/.test(after)) {
      res
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ __type: "ValidationException", message: "after must be a sequence number" }));
      return;
    }
    open.add(res);
    res.on("close", () => {
      open.delete(res);
      signal.notify();
    });
    res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    res.flushHeaders();
    void (async () => {
      let cursor = after === null ? await latestOutboxSeq(store) : Number(after);
      // Where this stream starts, so that a reader that reconnects misses nothing in between.
      res.write(`${JSON.stringify({ seq: cursor })}\n`);
      while (open.has(res)) {
        const woken = signal.next(keepAliveMs);
        const entries = await readOutbox(store, cursor, batchSize);
        let text = "";
        for (const entry of entries) {
          cursor = entry.seq;
          if (entry.event.account === caller.accountId) {
            text += `${JSON.stringify({ seq: entry.seq, event: entry.event })}\n`;
          }
        }
        // A reader that does not read must not make Jeff hold every event for it: wait until the
        // connection has taken what was written (or has gone) before reading the outbox again.
        if (text !== "" && !res.write(text)) await drained(res);
        if (entries.length === batchSize) continue;
        if (!(await woken) && open.has(res)) res.write("\n");
      }
    })().catch(() => res.destroy());
  };
  return {
    route,
    closeAll() {
      for (const res of open) res.end();
      open.clear();
      signal.notify();
    },
  };
}
