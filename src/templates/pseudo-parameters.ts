/**
 * CloudFormation's pseudo parameters: names every template may `Ref` without declaring them. The
 * values come from the deploy (account, region, stack), so this module only maps names to them;
 * partition and URL suffix follow from the region unless given, as they do on AWS.
 */

export interface PseudoParameters {
  readonly accountId: string;
  readonly region: string;
  readonly stackName: string;
  /** `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>` */
  readonly stackId: string;
  readonly partition?: string;
  readonly urlSuffix?: string;
  readonly notificationArns?: readonly string[];
}

export const NO_VALUE_PSEUDO_PARAMETER = "AWS::NoValue";

export const PSEUDO_PARAMETER_NAMES: readonly string[] = [
  "AWS::AccountId",
  "AWS::NotificationARNs",
  NO_VALUE_PSEUDO_PARAMETER,
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
];

const NAMES = new Set(PSEUDO_PARAMETER_NAMES);

export function isPseudoParameter(name: string): boolean {
  return NAMES.has(name);
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

function urlSuffixOfRegion(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/**
 * The value of a pseudo parameter other than `AWS::NoValue` (whose meaning is "remove this", which
 * only the evaluator can act on); `undefined` for names that are not pseudo parameters.
 */
export function pseudoParameterValue(name: string, pseudo: PseudoParameters): string | string[] | undefined {
  switch (name) {
    case "AWS::AccountId":
      return pseudo.accountId;
    case "AWS::Region":
      return pseudo.region;
    case "AWS::StackName":
      return pseudo.stackName;
    case "AWS::StackId":
      return pseudo.stackId;
    case "AWS::Partition":
      return pseudo.partition ?? partitionOfRegion(pseudo.region);
    case "AWS::URLSuffix":
      return pseudo.urlSuffix ?? urlSuffixOfRegion(pseudo.region);
    case "AWS::NotificationARNs":
      return [...(pseudo.notificationArns ?? [])];
    default:
      return undefined;
  }
}
