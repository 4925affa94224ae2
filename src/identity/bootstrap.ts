/**
 * First start: one account, an administrator and a developer key pair, created once and reused on
 * every later start, so `jeff env` prints the same credentials until the data directory goes.
 */
import type { SqlExecutor, Store } from "../store/index.js";
import { type AccessKey, findAccessKey, insertAccessKey } from "./access-keys.js";
import { newAccessKeyId, newAccountId, newPrincipalId, newSecretAccessKey } from "./identifiers.js";

export const administratorName = "admin";

export interface Installation {
  readonly accountId: string;
  readonly administratorArn: string;
  readonly developerKey: AccessKey;
}

interface InstallationRow {
  account_id: string;
  arn: string;
  access_key_id: string;
}

/** The account and developer key made on first start, if there has been one. */
export async function findInstallation(db: SqlExecutor): Promise<Installation | undefined> {
  const existing = await db.get<InstallationRow>(
    `SELECT u.account_id, u.arn, k.access_key_id FROM iam_users u
     JOIN iam_access_keys k ON k.principal_arn = u.arn AND k.session_token IS NULL
     WHERE u.user_name = ? ORDER BY k.created_at LIMIT 1`,
    [administratorName],
  );
  if (!existing) return undefined;
  const developerKey = await findAccessKey(db, existing.access_key_id);
  return developerKey
    ? { accountId: existing.account_id, administratorArn: existing.arn, developerKey }
    : undefined;
}

export async function ensureInstallation(store: Store): Promise<Installation> {
  return store.transaction(async (tx) => {
    const existing = await findInstallation(tx);
    if (existing) return existing;
    const accountId = newAccountId();
    const now = new Date().toISOString();
    const userId = newPrincipalId("AIDA");
    const arn = `arn:aws:iam::${accountId}:user/${administratorName}`;
    await tx.run("INSERT INTO iam_accounts (account_id, created_at) VALUES (?, ?)", [accountId, now]);
    await tx.run(
      "INSERT INTO iam_users (account_id, user_name, user_id, path, arn, created_at) VALUES (?, ?, ?, '/', ?, ?)",
      [accountId, administratorName, userId, arn, now],
    );
    const developerKey: AccessKey = {
      accessKeyId: newAccessKeyId("AKIA"),
      secretAccessKey: newSecretAccessKey(),
      accountId,
      principalArn: arn,
      principalId: userId,
      status: "Active",
    };
    await insertAccessKey(tx, developerKey);
    return { accountId, administratorArn: arn, developerKey };
  });
}
