/**
 * Environments started ahead of need (`--prestart`): when a function is created or its code or
 * configuration changes — through the API or a stack, on any node — each node starts one
 * environment of the new `$LATEST`, so the first invocation finds it warm, as Lambda's proactive
 * initialization does. It follows the change events the call path commits (the outbox), so it
 * sees every way a function changes without each of them knowing about it.
 */

import { latestOutboxSeq, type OutboxSignal, readOutbox } from "../operations/index.js";
import type { Logger } from "../ops/index.js";
import type { Store } from "../store/index.js";
import type { EnvironmentPool } from "./execution/index.js";
import { specOf } from "./execution/index.js";
import { findFunction, parseFunctionName } from "./records/index.js";

/** The calls after which a function's `$LATEST` runs a configuration no environment has yet. */
const changingCalls = new Set(["CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration"]);

/** How long the follower waits for a signal before reading anyway (a missed wake-up costs this). */
const idleReadMs = 30_000;

export interface PrestartFollower {
  stop(): Promise<void>;
}

export function followChangesToPrestart(options: {
  readonly store: Store;
  readonly signal: OutboxSignal;
  readonly pool: Pick<EnvironmentPool, "prestart">;
  readonly logger: Logger;
}): PrestartFollower {
  const { store, signal, pool, logger } = options;
  let stopped = false;
  const prestart = async (accountId: string, region: string, functionName: string) => {
    try {
      const { name } = parseFunctionName(functionName);
      const record = await findFunction(store, { accountId, region }, name);
      if (record) await pool.prestart(specOf(record));
    } catch (error) {
      logger.warn("could not start an environment ahead of need", { function: functionName, error });
    }
  };
  const loop = (async () => {
    let seq = await latestOutboxSeq(store);
    while (!stopped) {
      const woken = signal.next(idleReadMs);
      const entries = await readOutbox(store, seq, 100);
      for (const { seq: at, event } of entries) {
        seq = at;
        const detail = event.detail as {
          eventName?: string;
          errorCode?: string;
          /** As CloudTrail writes them: `functionName`. */
          requestParameters?: { functionName?: unknown } | null;
        };
        if (event.source !== "aws.lambda" || event["detail-type"] !== "AWS API Call via CloudTrail") continue;
        if (!changingCalls.has(detail.eventName ?? "") || detail.errorCode !== undefined) continue;
        const raw = detail.requestParameters?.functionName;
        if (typeof raw !== "string") continue;
        void prestart(event.account, event.region, raw);
      }
      if (entries.length === 0) await woken;
    }
  })().catch((error: unknown) => logger.error("stopped starting environments ahead of need", { error }));

  return {
    async stop() {
      stopped = true;
      signal.notify();
      await loop;
    },
  };
}
