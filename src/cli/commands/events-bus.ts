/**
 * `jeff events put`, `jeff events test-pattern` and `jeff events dead-letters`: putting an event on
 * a bus through EventBridge's own API, checking a pattern against an event with the matcher the
 * buses use, and reading what deliveries left in their dead-letter queues.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { testEventPattern } from "../../events/index.js";
import { isAwsError } from "../../protocol/index.js";
import { targetOf } from "../deployer.js";
import { CliError, createOutput } from "../output.js";
import { callSignedRoute } from "../signed-route.js";

interface Target {
  dataDir?: string;
  endpoint?: string;
  json?: boolean;
}

export async function runEventsPut(
  flags: Target & { source: string; detailType: string; detail: string; bus?: string; resources?: string[] },
): Promise<void> {
  const out = createOutput(flags.json === true);
  const target = await targetOf(flags);
  const client = new EventBridgeClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    maxAttempts: 1,
  });
  const answer = await client.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: flags.source,
          DetailType: flags.detailType,
          Detail: flags.detail,
          ...(flags.bus !== undefined ? { EventBusName: flags.bus } : {}),
          ...(flags.resources !== undefined ? { Resources: flags.resources } : {}),
        },
      ],
    }),
  );
  const entry = answer.Entries?.[0];
  if (entry?.ErrorCode !== undefined) throw new CliError(`${entry.ErrorCode}: ${entry.ErrorMessage}`);
  out.result(`put event ${entry?.EventId}`, { EventId: entry?.EventId });
}

/** Prints `true` or `false`; an invalid pattern or event is an error in EventBridge's words. */
export function runEventsTestPattern(pattern: string, event: string, flags: { json?: boolean }): void {
  const out = createOutput(flags.json === true);
  let result: boolean;
  try {
    result = testEventPattern(pattern, event);
  } catch (error) {
    if (isAwsError(error)) throw new CliError(`${error.code}: ${error.message}`);
    throw error;
  }
  out.result(String(result), { Result: result });
}

interface DeadLetter {
  queueArn: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: string;
}

export async function runEventsDeadLetters(flags: Target & { queue?: string }): Promise<void> {
  const out = createOutput(flags.json === true);
  const target = await targetOf(flags);
  const query: Record<string, string> = flags.queue !== undefined ? { queue: flags.queue } : {};
  const { deadLetters } = JSON.parse(
    await callSignedRoute(target, "/_jeff/events/dead-letters", { query }),
  ) as {
    deadLetters: DeadLetter[];
  };
  const lines = deadLetters.map(
    (letter) =>
      `${out.dim(letter.sentAt)} ${letter.queueArn}  ${letter.attributes.ERROR_CODE}: ${letter.attributes.ERROR_MESSAGE}` +
      `  (rule ${letter.attributes.RULE_ARN}, target ${letter.attributes.TARGET_ARN}, ${letter.attributes.RETRY_ATTEMPTS} retries)\n  ${letter.body}`,
  );
  out.result(lines.length === 0 ? "no dead letters" : lines.join("\n"), { deadLetters });
}
