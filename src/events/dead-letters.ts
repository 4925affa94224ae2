/**
 * Dead letters: deliveries that exhausted their target's retry policy (or could never succeed),
 * kept under the ARN of the SQS queue their target's DeadLetterConfig names until Jeff has a queue
 * service, with the attributes AWS adds to the message. `jeff events dead-letters` reads them
 * through the signed route `/_jeff/events/dead-letters`.
 */
import type { Logger } from "../ops/index.js";
import type { SignedRoute } from "../protocol/index.js";
import type { SqlExecutor, Store } from "../store/index.js";

export const deadLettersPath = "/_jeff/events/dead-letters";

export interface DeadLetter {
  readonly queueArn: string;
  /** The event, as the target would have received it. */
  readonly body: string;
  /** RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS. */
  readonly attributes: Readonly<Record<string, string>>;
  /** ISO 8601. */
  readonly sentAt: string;
}

export async function keepDeadLetter(
  tx: SqlExecutor,
  letter: {
    id: string;
    accountId: string;
    region: string;
    queueArn: string;
    body: string;
    attributes: Record<string, string>;
    sentAt: number;
  },
): Promise<void> {
  await tx.run(
    `INSERT INTO events_dead_letters (id, account_id, region, queue_arn, body, attributes, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      letter.id,
      letter.accountId,
      letter.region,
      letter.queueArn,
      letter.body,
      JSON.stringify(letter.attributes),
      letter.sentAt,
    ],
  );
}

/** An account's dead letters, oldest first, of one queue or of all. */
export async function listDeadLetters(
  db: SqlExecutor,
  accountId: string,
  queueArn?: string,
): Promise<DeadLetter[]> {
  const rows = await db.all<{
    queue_arn: string;
    body: string;
    attributes: string;
    sent_at: number | string;
  }>(
    `SELECT queue_arn, body, attributes, sent_at FROM events_dead_letters WHERE account_id = ?
       ${queueArn !== undefined ? "AND queue_arn = ?" : ""} ORDER BY sent_at, id`,
    queueArn !== undefined ? [accountId, queueArn] : [accountId],
  );
  return rows.map((row) => ({
    queueArn: row.queue_arn,
    body: row.body,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    sentAt: new Date(Number(row.sent_at)).toISOString(),
  }));
}

/** GET `?queue=ARN` (optional): the caller's account's dead letters as JSON. */
export function deadLettersRoute(store: Store, logger: Logger): SignedRoute {
  return (req, res, { caller, query }) => {
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    listDeadLetters(store, caller.accountId, query.get("queue") ?? undefined).then(
      (deadLetters) =>
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ deadLetters })),
      (error: unknown) => {
        logger.error("could not list the dead letters", { error });
        res
          .writeHead(500, { "content-type": "application/json" })
          .end(JSON.stringify({ __type: "ServiceException", message: "could not list the dead letters" }));
      },
    );
  };
}
