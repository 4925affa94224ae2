/**
 * A call as CloudTrail records it (record contents, eventVersion 1.11): who called, what, from
 * where, with which parameters and what came back — with the values CloudTrail hides hidden.
 * Pure: the clock and the ids come in with the call.
 */
import type { Caller, OperationCall, OperationTraits, ResourceRef } from "../protocol/index.js";

export const hiddenValue = "HIDDEN_DUE_TO_SECURITY_REASONS";

/** Members CloudTrail never shows, whichever operation carries them. */
const alwaysHidden = ["SecretAccessKey", "SessionToken", "ZipFile", "Payload"];

export interface UserIdentity {
  readonly type: "Root" | "IAMUser" | "AssumedRole" | "Unknown";
  readonly principalId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly userName?: string;
  readonly sessionContext?: {
    readonly sessionIssuer: {
      type: "Role";
      principalId: string;
      arn: string;
      accountId: string;
      userName: string;
    };
  };
  readonly invokedBy?: string;
}

export interface CloudTrailRecord {
  readonly eventVersion: "1.11";
  readonly userIdentity: UserIdentity;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: unknown;
  readonly responseElements: unknown;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: ReadonlyArray<{ accountId: string; type: string; ARN: string }>;
  readonly eventType: "AwsApiCall";
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: "Management" | "Data";
}

export interface RecordInput {
  readonly call: OperationCall;
  readonly traits: OperationTraits;
  readonly eventId: string;
  readonly time: Date;
  readonly params: Readonly<Record<string, unknown>>;
  readonly resources: readonly ResourceRef[];
  /** What the call answered, for a mutating call that succeeded. */
  readonly response?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

/** `ssm.amazonaws.com` for the service whose signing name is `ssm`. */
export function eventSourceOf(service: string): string {
  return `${service}.amazonaws.com`;
}

export function buildRecord(input: RecordInput): CloudTrailRecord {
  const { call, traits } = input;
  const hidden = new Set([...alwaysHidden, ...(traits.hidden ?? [])].map(lowerFirst));
  const management = traits.dataEvent !== true;
  return {
    eventVersion: "1.11",
    userIdentity: userIdentityOf(call.caller, call.invokedBy),
    eventTime: `${input.time.toISOString().slice(0, 19)}Z`,
    eventSource: eventSourceOf(call.service),
    eventName: call.operation,
    awsRegion: call.region,
    // A call Jeff made on someone's behalf comes from the service, as CloudTrail shows it.
    sourceIPAddress: call.invokedBy ?? call.sourceIPAddress,
    userAgent: call.invokedBy ?? call.userAgent,
    ...(input.error ? { errorCode: input.error.code, errorMessage: input.error.message } : {}),
    requestParameters: Object.keys(input.params).length > 0 ? redact(input.params, hidden) : null,
    responseElements:
      traits.readOnly || input.error || input.response === undefined ? null : redact(input.response, hidden),
    requestID: call.requestId,
    eventID: input.eventId,
    readOnly: traits.readOnly,
    ...(input.resources.length > 0
      ? {
          resources: input.resources.map((r) => ({
            accountId: call.caller.accountId,
            type: r.type,
            ARN: r.arn,
          })),
        }
      : {}),
    eventType: "AwsApiCall",
    managementEvent: management,
    recipientAccountId: call.caller.accountId,
    eventCategory: management ? "Management" : "Data",
  };
}

/** Identities by caller: a client calls again and again with the same key. */
const identities = new Map<string, UserIdentity>();

/** CloudTrail's `userIdentity`, read from the caller's ARN. */
export function userIdentityOf(caller: Caller, invokedBy?: string): UserIdentity {
  const key = `${caller.accessKeyId}\n${caller.arn}\n${caller.userId}\n${invokedBy ?? ""}`;
  const known = identities.get(key);
  if (known) return known;
  if (identities.size >= 1000) identities.clear();
  const identity = readUserIdentity(caller, invokedBy);
  identities.set(key, identity);
  return identity;
}

function readUserIdentity(caller: Caller, invokedBy?: string): UserIdentity {
  const base = {
    principalId: caller.userId,
    arn: caller.arn,
    accountId: caller.accountId,
    accessKeyId: caller.accessKeyId,
    ...(invokedBy !== undefined ? { invokedBy } : {}),
  };
  const resource = caller.arn.split(":").slice(5).join(":");
  if (resource === "root") return { type: "Root", ...base };
  if (resource.startsWith("user/")) return { type: "IAMUser", ...base, userName: lastSegment(resource) };
  if (resource.startsWith("assumed-role/")) {
    const [, role = "", session = ""] = resource.split("/");
    const roleArn = `arn:aws:iam::${caller.accountId}:role/${role}`;
    return {
      type: "AssumedRole",
      ...base,
      userName: session,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: caller.userId.split(":")[0] ?? caller.userId,
          arn: roleArn,
          accountId: caller.accountId,
          userName: role,
        },
      },
    };
  }
  return { type: "Unknown", ...base };
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function lowerFirst(name: string): string {
  return name.length === 0 ? name : name[0]!.toLowerCase() + name.slice(1);
}

/**
 * Member names in lowerCamelCase, as CloudTrail writes request parameters and response elements,
 * with hidden members' values replaced. Tags and other maps keep their user-chosen keys.
 */
function redact(value: unknown, hidden: ReadonlySet<string>, keepKeys = false): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, hidden));
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const name = keepKeys ? key : lowerFirst(key);
    if (!keepKeys && hidden.has(name)) out[name] = hiddenValue;
    else out[name] = redact(member, hidden, userKeyed.has(name));
  }
  return out;
}

/** Maps whose keys a user chose: their keys are data, not member names. */
const userKeyed = new Set(["tags", "variables", "routingConfig", "additionalVersionWeights"]);
