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

/**
 * What a call leaves to be recorded: the few facts its CloudTrail record is made of, with nothing
 * derived from them. The audit trail stores these (most in columns of their own) rather than the
 * record's JSON, and `recordOf` builds the record from them: at lookup, and for a change event.
 */
export interface CallFacts {
  readonly eventId: string;
  /** Milliseconds since the epoch; the record's `eventTime` has only seconds. */
  readonly timeMs: number;
  /** The caller's account, which is also the record's recipient. */
  readonly accountId: string;
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean;
  readonly management: boolean;
  readonly principalId: string;
  readonly callerArn: string;
  readonly accessKeyId: string;
  /** `userIdentity.userName`, kept for the lookup by Username; `recordOf` reads it from the ARN. */
  readonly userName: string | undefined;
  readonly invokedBy: string | undefined;
  /** As the record shows them: the service's name for a call made on someone's behalf. */
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly requestId: string;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  /** Already redacted, in CloudTrail's member names; null when there are none. */
  readonly requestParameters: unknown;
  readonly responseElements: unknown;
  readonly resources: readonly ResourceRef[];
}

/** `ssm.amazonaws.com` for the service whose signing name is `ssm`. */
export function eventSourceOf(service: string): string {
  return `${service}.amazonaws.com`;
}

/**
 * The facts of one call. `response` is what a mutating call that succeeded answered; `error` is
 * set for a call that failed. Only the values present are redacted, so a read with no parameters
 * (GetCallerIdentity) costs one object.
 */
export function factsOf(
  call: OperationCall,
  traits: OperationTraits,
  eventId: string,
  timeMs: number,
  params: Readonly<Record<string, unknown>>,
  resources: readonly ResourceRef[],
  response: unknown,
  error: { readonly code: string; readonly message: string } | undefined,
): CallFacts {
  const invokedBy = call.invokedBy;
  return {
    eventId,
    timeMs,
    accountId: call.caller.accountId,
    region: call.region,
    eventSource: eventSourceOf(call.service),
    eventName: call.operation,
    readOnly: traits.readOnly,
    management: traits.dataEvent !== true,
    principalId: call.caller.userId,
    callerArn: call.caller.arn,
    accessKeyId: call.caller.accessKeyId,
    userName: userIdentityOf(call.caller, invokedBy).userName,
    invokedBy,
    // A call Jeff made on someone's behalf comes from the service, as CloudTrail shows it.
    sourceIPAddress: invokedBy ?? call.sourceIPAddress,
    userAgent: invokedBy ?? call.userAgent,
    requestId: call.requestId,
    errorCode: error?.code,
    errorMessage: error?.message,
    requestParameters: hasMembers(params) ? redact(params, hiddenOf(traits)) : null,
    responseElements:
      traits.readOnly || error !== undefined || response === undefined
        ? null
        : redact(response, hiddenOf(traits)),
    resources,
  };
}

/** The CloudTrail record of a call, from its facts; every record Jeff shows is built here. */
export function recordOf(facts: CallFacts): CloudTrailRecord {
  const caller: Caller = {
    accountId: facts.accountId,
    arn: facts.callerArn,
    userId: facts.principalId,
    accessKeyId: facts.accessKeyId,
  };
  return {
    eventVersion: "1.11",
    userIdentity: userIdentityOf(caller, facts.invokedBy),
    eventTime: `${new Date(facts.timeMs).toISOString().slice(0, 19)}Z`,
    eventSource: facts.eventSource,
    eventName: facts.eventName,
    awsRegion: facts.region,
    sourceIPAddress: facts.sourceIPAddress,
    userAgent: facts.userAgent,
    ...(facts.errorCode !== undefined
      ? { errorCode: facts.errorCode, errorMessage: facts.errorMessage ?? "" }
      : {}),
    requestParameters: facts.requestParameters,
    responseElements: facts.responseElements,
    requestID: facts.requestId,
    eventID: facts.eventId,
    readOnly: facts.readOnly,
    ...(facts.resources.length > 0
      ? {
          resources: facts.resources.map((r) => ({ accountId: facts.accountId, type: r.type, ARN: r.arn })),
        }
      : {}),
    eventType: "AwsApiCall",
    managementEvent: facts.management,
    recipientAccountId: facts.accountId,
    eventCategory: facts.management ? "Management" : "Data",
  };
}

function hasMembers(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

/** The members an operation's records hide, in CloudTrail's lowerCamelCase, once per operation. */
const hiddenByTraits = new WeakMap<OperationTraits, ReadonlySet<string>>();
function hiddenOf(traits: OperationTraits): ReadonlySet<string> {
  let hidden = hiddenByTraits.get(traits);
  if (hidden === undefined) {
    hidden = new Set([...alwaysHidden, ...(traits.hidden ?? [])].map(lowerFirst));
    hiddenByTraits.set(traits, hidden);
  }
  return hidden;
}

/** Identities by caller: a client calls again and again with the same key. */
const identities = new Map<string, UserIdentity>();

/** The same, by caller object: the edge hands each cached key's caller object to every call. */
const identityOfCaller = new WeakMap<Caller, UserIdentity>();

/** CloudTrail's `userIdentity`, read from the caller's ARN. */
export function userIdentityOf(caller: Caller, invokedBy?: string): UserIdentity {
  if (invokedBy === undefined) {
    const same = identityOfCaller.get(caller);
    if (same !== undefined) return same;
  }
  const key = `${caller.accessKeyId}\n${caller.arn}\n${caller.userId}\n${invokedBy ?? ""}`;
  let identity = identities.get(key);
  if (identity === undefined) {
    if (identities.size >= 1000) identities.clear();
    identity = readUserIdentity(caller, invokedBy);
    identities.set(key, identity);
  }
  if (invokedBy === undefined) identityOfCaller.set(caller, identity);
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
