/**
 * A registry of stand-in handlers for tests: the types and attributes are real, the lifecycle
 * methods are never called by the pure code under test, so they refuse loudly.
 */
import { isPlainObject } from "./json-values.js";
import { type ImplicitResource, type ResourceHandler, ResourceRegistry } from "./resource-registry.js";
import type { TemplateError } from "./template-errors.js";

const notInTests = (): never => {
  throw new Error("lifecycle methods are not used by the template tests");
};

export function stubHandler(
  type: string,
  attributes: readonly string[],
  extra: Pick<ResourceHandler, "validateProperties" | "implicitResources"> = {},
): ResourceHandler {
  return { type, attributes, ...extra, create: notInTests, update: notInTests, delete: notInTests };
}

/** SAM's generated ids for a function: its role, and the shared REST API when it has Api events. */
function functionImplicitResources(logicalId: string, props: unknown): ImplicitResource[] {
  const generated: ImplicitResource[] = [{ logicalId: `${logicalId}Role`, type: "AWS::IAM::Role" }];
  const events = isPlainObject(props) && isPlainObject(props.Events) ? Object.values(props.Events) : [];
  if (events.some((event) => isPlainObject(event) && event.Type === "Api")) {
    generated.push({ logicalId: "ServerlessRestApi", type: "AWS::ApiGateway::RestApi" });
  }
  return generated;
}

function requireKeys(...keys: string[]) {
  return (props: unknown, path: string): TemplateError[] =>
    keys
      .filter((key) => !isPlainObject(props) || props[key] === undefined)
      .map((key) => ({ path: `${path}.${key}`, message: `${key} is required` }));
}

export function testRegistry(): ResourceRegistry {
  return new ResourceRegistry()
    .register(
      stubHandler("AWS::Serverless::Function", ["Arn"], {
        implicitResources: functionImplicitResources,
        validateProperties: requireKeys("Runtime", "Handler"),
      }),
    )
    .register(stubHandler("AWS::Serverless::SimpleTable", ["Arn"]))
    .register(stubHandler("AWS::Serverless::Api", ["RootResourceId"]))
    .register(stubHandler("AWS::Serverless::HttpApi", ["ApiEndpoint"]))
    .register(stubHandler("AWS::Serverless::StateMachine", ["Arn", "Name"]))
    .register(stubHandler("AWS::Lambda::Function", ["Arn"]))
    .register(stubHandler("AWS::IAM::Role", ["Arn", "RoleId"]))
    .register(stubHandler("AWS::ApiGateway::RestApi", ["RootResourceId"]))
    .register(stubHandler("AWS::SNS::Topic", ["TopicArn", "TopicName"]))
    .register(stubHandler("AWS::Events::Rule", ["Arn"]))
    .register(
      stubHandler("AWS::SSM::Parameter", ["Type", "Value"], {
        validateProperties: requireKeys("Type", "Value"),
      }),
    )
    .register(stubHandler("AWS::CloudFormation::Stack", ["Outputs.*"]))
    .register(stubHandler("AWS::CloudFormation::CustomResource", ["*"]))
    .register(stubHandler("AWS::CloudFormation::WaitConditionHandle", []));
}

export const TEST_PSEUDO = {
  accountId: "123456789012",
  region: "eu-west-1",
  stackName: "demo",
  stackId: "arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/6c1f0a30-0000-4000-8000-000000000000",
} as const;
