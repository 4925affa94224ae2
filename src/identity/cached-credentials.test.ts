// A key taken away stops working: within a lifetime on a node that was not told, at once on the
// one that was. Two stores on one SQLite file stand in for two Jeff nodes sharing a database; the
// clock is injected, so nothing waits for time to pass. No API deletes or deactivates a key yet,
// so the tests do it in SQL, as another node's code would.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openTestStore } from "../../test/stores.js";
import type { Store } from "../store/index.js";
import { type AccessKey, insertAccessKey } from "./access-keys.js";
import { ensureInstallation, type Installation } from "./bootstrap.js";
import { CachedCredentials, credentialLifetimeMs } from "./cached-credentials.js";
import { newAccessKeyId, newSecretAccessKey } from "./identifiers.js";
import { identityMigrations } from "./identity-schema.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-cached-credentials-"));
let thisNode: Store;
let otherNode: Store;
let installation: Installation;
beforeAll(async () => {
  thisNode = await openTestStore({ dataDir: dir, migrations: identityMigrations });
  otherNode = await openTestStore({ dataDir: dir, migrations: identityMigrations });
  installation = await ensureInstallation(thisNode);
});
afterAll(async () => {
  await thisNode.close();
  await otherNode.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newKey(): Promise<AccessKey> {
  const key: AccessKey = {
    accessKeyId: newAccessKeyId("AKIA"),
    secretAccessKey: newSecretAccessKey(),
    accountId: installation.accountId,
    principalArn: installation.administratorArn,
    principalId: installation.developerKey.principalId,
    status: "Active",
  };
  await insertAccessKey(thisNode, key);
  return key;
}

const deleteKey = (store: Store, id: string) =>
  store.run("DELETE FROM iam_access_keys WHERE access_key_id = ?", [id]);
const setStatus = (store: Store, id: string, status: AccessKey["status"]) =>
  store.run("UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?", [status, id]);

/** A cache on this node whose clock moves only when the test moves it. */
async function cachedOnThisNode(key: AccessKey) {
  const clock = { now: Date.parse("2030-01-01T00:00:00Z") };
  const credentials = new CachedCredentials(thisNode, { now: () => clock.now });
  expect(await credentials.find(key.accessKeyId)).toMatchObject({ secretAccessKey: key.secretAccessKey });
  return { clock, credentials };
}

describe("CachedCredentials", () => {
  it.each([
    ["deleted", (id: string) => deleteKey(otherNode, id)],
    ["deactivated", (id: string) => setStatus(otherNode, id, "Inactive")],
  ])(
    "refuses a key %s by another node once its lifetime has passed, and answers from memory until then",
    async (_, takeAway) => {
      const key = await newKey();
      const { clock, credentials } = await cachedOnThisNode(key);
      await takeAway(key.accessKeyId);
      clock.now += credentialLifetimeMs - 1;
      // Not a promise: the hot path did not wait on the store.
      expect(credentials.find(key.accessKeyId)).toMatchObject({ secretAccessKey: key.secretAccessKey });
      clock.now += 1;
      expect(await credentials.find(key.accessKeyId)).toBeUndefined();
    },
  );

  it("re-reads a key in use in the background from half its lifetime, so no caller waits", async () => {
    const key = await newKey();
    const { clock, credentials } = await cachedOnThisNode(key);
    const start = clock.now;
    clock.now = start + credentialLifetimeMs / 2;
    expect(credentials.find(key.accessKeyId)).toMatchObject({ secretAccessKey: key.secretAccessKey });
    // Once that read lands the key is fresh again: past its first lifetime it still answers at once.
    clock.now = start + credentialLifetimeMs;
    await vi.waitFor(() => expect(credentials.find(key.accessKeyId)).not.toBeInstanceOf(Promise), {
      timeout: 30_000,
    });

    await deleteKey(otherNode, key.accessKeyId);
    clock.now = start + credentialLifetimeMs * 1.5;
    expect(credentials.find(key.accessKeyId)).toMatchObject({ secretAccessKey: key.secretAccessKey });
    // A background read sees the key gone and refuses it before its lifetime is up.
    await vi.waitFor(() => expect(credentials.find(key.accessKeyId)).toBeUndefined(), { timeout: 30_000 });
  });

  it("refuses a forgotten key at once, and takes a reactivated one back at once", async () => {
    const key = await newKey();
    const { credentials } = await cachedOnThisNode(key);
    await setStatus(thisNode, key.accessKeyId, "Inactive");
    credentials.forget(key.accessKeyId);
    expect(await credentials.find(key.accessKeyId)).toBeUndefined();
    await setStatus(thisNode, key.accessKeyId, "Active");
    credentials.forget(key.accessKeyId);
    expect(await credentials.find(key.accessKeyId)).toMatchObject({ secretAccessKey: key.secretAccessKey });
  });

  it("keeps nothing a read under way saw before the key was forgotten", async () => {
    const key = await newKey();
    const credentials = new CachedCredentials(thisNode);
    const under = credentials.find(key.accessKeyId);
    expect(under).toBeInstanceOf(Promise);
    await deleteKey(thisNode, key.accessKeyId);
    credentials.forget(key.accessKeyId);
    // That request began while the key existed: it answers the key, or nothing where the store ran
    // its read after the delete (PostgreSQL's pool may); the next one never gets its answer.
    expect([key.secretAccessKey, undefined]).toContain((await under)?.secretAccessKey);
    expect(await credentials.find(key.accessKeyId)).toBeUndefined();
  });

  it("reads a stale key once for a burst of requests", async () => {
    const key = await newKey();
    const { clock, credentials } = await cachedOnThisNode(key);
    clock.now += credentialLifetimeMs;
    const first = credentials.find(key.accessKeyId);
    expect(first).toBeInstanceOf(Promise);
    expect(credentials.find(key.accessKeyId)).toBe(first);
    expect(await first).toMatchObject({ secretAccessKey: key.secretAccessKey });
  });
});
