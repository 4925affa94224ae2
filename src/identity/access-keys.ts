/** Access keys as the store holds them; `cached-credentials.ts` is the edge's view of them. */
import type { SqlExecutor } from "../store/index.js";
import { newAccessKeyId, newSecretAccessKey, newSessionToken } from "./identifiers.js";

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  readonly principalArn: string;
  readonly principalId: string;
  readonly status: "Active" | "Inactive";
  readonly sessionToken?: string;
  readonly expiresAt?: Date;
}

interface AccessKeyRow {
  access_key_id: string;
  secret_access_key: string;
  account_id: string;
  principal_arn: string;
  principal_id: string;
  status: "Active" | "Inactive";
  session_token: string | null;
  expires_at: string | null;
}

export async function insertAccessKey(db: SqlExecutor, key: AccessKey): Promise<void> {
  await db.run(
    `INSERT INTO iam_access_keys (access_key_id, secret_access_key, account_id, principal_arn, principal_id, status, session_token, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      key.accessKeyId,
      key.secretAccessKey,
      key.accountId,
      key.principalArn,
      key.principalId,
      key.status,
      key.sessionToken ?? null,
      key.expiresAt?.toISOString() ?? null,
      new Date().toISOString(),
    ],
  );
}

export async function findAccessKey(db: SqlExecutor, accessKeyId: string): Promise<AccessKey | undefined> {
  const row = await db.get<AccessKeyRow>("SELECT * FROM iam_access_keys WHERE access_key_id = ?", [
    accessKeyId,
  ]);
  if (!row) return undefined;
  return {
    accessKeyId: row.access_key_id,
    secretAccessKey: row.secret_access_key,
    accountId: row.account_id,
    principalArn: row.principal_arn,
    principalId: row.principal_id,
    status: row.status,
    ...(row.session_token ? { sessionToken: row.session_token } : {}),
    ...(row.expires_at ? { expiresAt: new Date(row.expires_at) } : {}),
  };
}

/** Forgets temporary credentials that have expired; they can never be used again. */
export async function purgeExpiredKeys(db: SqlExecutor, now: Date): Promise<void> {
  await db.run("DELETE FROM iam_access_keys WHERE expires_at IS NOT NULL AND expires_at < ?", [
    now.toISOString(),
  ]);
}

/** A key STS issued: it carries a session token and lapses. */
export type TemporaryKey = AccessKey & { readonly sessionToken: string; readonly expiresAt: Date };

/** Temporary credentials for a principal, as STS issues them. */
export function temporaryKeyFor(
  principal: Pick<AccessKey, "accountId" | "principalArn" | "principalId">,
  expiresAt: Date,
): TemporaryKey {
  return {
    ...principal,
    accessKeyId: newAccessKeyId("ASIA"),
    secretAccessKey: newSecretAccessKey(),
    status: "Active",
    sessionToken: newSessionToken(),
    expiresAt,
  };
}
