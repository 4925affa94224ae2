/**
 * The queue suite every store engine runs (`describeQueueSuite("sqlite", …)`, later "postgres"): it
 * uses only the `Store` contract, so what it proves of one engine it proves of the others.
 */
import { describe } from "vitest";
import { describeClaimCases } from "./claims.case.js";
import { describeEnqueueCases } from "./enqueue.case.js";
import { describeFastPathCases } from "./fast-path.case.js";
import { describeLifecycleCases } from "./lifecycle.case.js";
import { describeNodeCases } from "./nodes.case.js";
import { type OpenStoreAt, useQueueHarness } from "./queue-harness.case.js";
import { describeRetryCases } from "./retries.case.js";

export type { OpenStoreAt } from "./queue-harness.case.js";

export function describeQueueSuite(engineName: string, openAt: OpenStoreAt): void {
  describe(`queue suite: ${engineName}`, () => {
    const harness = useQueueHarness(openAt);
    describeEnqueueCases(harness);
    describeClaimCases(harness);
    describeFastPathCases(harness);
    describeRetryCases(harness);
    describeNodeCases(harness);
    describeLifecycleCases(harness);
  });
}
