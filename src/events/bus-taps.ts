/**
 * Watching a bus live (`jeff events tail --bus B [--pattern P]`): `GET /_jeff/events/bus?bus=B
 * &pattern=P` (signed) streams NDJSON, one `{"event":{…}}` line for each event put on the bus of
 * the caller's account and Region that matches the pattern (every event without one), as this node
 * routes it — from PutEvents, a bus target, a replay or Jeff's own change events — and a blank
 * line every 15 s while quiet. A tap keeps nothing: events routed while no one watches, or routed
 * by another node, are not shown. A watcher that reads slowly loses events rather than holding
 * them in Jeff.
 */
import type { ServerResponse } from "node:http";
import type { SignedRoute } from "../protocol/index.js";
import { busNameOf, type EventsScope } from "./bus-records.js";
import { type CompiledPattern, compilePattern, InvalidEventPatternError, RuleSet } from "./pattern/index.js";
import type { EventEnvelope } from "./put-events.js";

export const busTapPath = "/_jeff/events/bus";

const keepAliveMs = 15_000;

interface Tap {
  readonly key: string;
  readonly matcher: RuleSet<true> | undefined;
  readonly res: ServerResponse;
}

const keyOf = (scope: EventsScope, bus: string) => `${scope.accountId}\u0000${scope.region}\u0000${bus}`;

export class BusTaps {
  readonly #taps = new Set<Tap>();

  /** Shows the event to the bus's watchers, once the routing that called this has returned. */
  emit(scope: EventsScope, bus: string, event: EventEnvelope): void {
    if (this.#taps.size === 0) return;
    const key = keyOf(scope, bus);
    setImmediate(() => {
      for (const tap of this.#taps) {
        if (tap.key !== key) continue;
        if (
          tap.matcher !== undefined &&
          tap.matcher.matches(event as unknown as Record<string, unknown>).length === 0
        )
          continue;
        // A watcher that does not keep up misses events rather than making Jeff buffer them.
        if (tap.res.writableNeedDrain) continue;
        tap.res.write(`${JSON.stringify({ event })}\n`);
      }
    });
  }

  /** Ends every watch (the server is stopping). */
  closeAll(): void {
    for (const tap of this.#taps) tap.res.end();
    this.#taps.clear();
  }

  route(region: string): SignedRoute {
    return (req, res, { caller, query }) => {
      if (req.method !== "GET") {
        res.writeHead(405, { allow: "GET" }).end();
        return;
      }
      let pattern: CompiledPattern | undefined;
      try {
        const text = query.get("pattern");
        pattern = text === null || text === "" ? undefined : compilePattern(text);
      } catch (error) {
        const message = error instanceof InvalidEventPatternError ? error.message : String(error);
        res
          .writeHead(400, { "content-type": "application/json" })
          .end(JSON.stringify({ __type: "InvalidEventPatternException", message }));
        return;
      }
      const bus = busNameOf(query.get("bus"));
      const tap: Tap = {
        key: keyOf({ accountId: caller.accountId, region: query.get("region") || region }, bus),
        matcher: pattern === undefined ? undefined : new RuleSet<true>().set(true, pattern),
        res,
      };
      this.#taps.add(tap);
      const alive = setInterval(() => res.write("\n"), keepAliveMs);
      res.on("close", () => {
        clearInterval(alive);
        this.#taps.delete(tap);
      });
      res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
      res.flushHeaders();
    };
  }
}
