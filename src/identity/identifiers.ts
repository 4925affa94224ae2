/**
 * Identifiers in the shapes AWS uses: drawn from a cryptographic random source, or derived from a
 * seed where the same thing must always get the same id.
 */
import { createHash, randomBytes, randomInt } from "node:crypto";

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** A 12-digit account id that does not start with 0 (some tools strip leading zeros). */
export function newAccountId(): string {
  return String(randomInt(1, 10)) + String(randomInt(0, 100_000_000_000)).padStart(11, "0");
}

/** `AIDA…` for users, `AROA…` for roles: the unique ids IAM hands out. */
export function newPrincipalId(prefix: "AIDA" | "AROA"): string {
  return prefix + randomFrom(upperAlnum, 17);
}

/**
 * A unique id in IAM's shape derived from `seed` rather than drawn: for a principal Jeff has no
 * record of yet (a role named only by its ARN), so the same one always has the same id.
 */
export function derivedPrincipalId(prefix: "AIDA" | "AROA", seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  let out = prefix;
  for (const byte of digest.subarray(0, 17)) out += upperAlnum[byte % upperAlnum.length];
  return out;
}

/** `AKIA…` for long-term keys, `ASIA…` for temporary ones. */
export function newAccessKeyId(prefix: "AKIA" | "ASIA"): string {
  return prefix + randomFrom(base32, 16);
}

export function newSecretAccessKey(): string {
  return randomFrom(secretChars, 40);
}

export function newSessionToken(): string {
  return randomBytes(96).toString("base64");
}
