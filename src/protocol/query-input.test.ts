// awsQuery forms as the SDK sends them, read into typed input through the models.
import { CloudFormationClient, CreateStackCommand, UpdateStackCommand } from "@aws-sdk/client-cloudformation";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { capturingClientConfig, type SentRequest, sentBy } from "../../test/fixtures/sent-request.js";
import { decodeModelRequest } from "./model-request.js";
import { cloudformationModel, stsModel } from "./models/index.js";
import { decodeQueryInput } from "./query-input.js";

const sent: SentRequest[] = [];
const cloudformation = new CloudFormationClient(capturingClientConfig(sent));
const sts = new STSClient(capturingClientConfig(sent));

describe("decodeQueryInput", () => {
  it("reads lists of structures, lists of strings, integers and booleans", async () => {
    const input = {
      StackName: "orders",
      TemplateBody: "{}",
      Parameters: [
        { ParameterKey: "Stage", ParameterValue: "prod" },
        { ParameterKey: "Size", UsePreviousValue: true },
      ],
      Capabilities: ["CAPABILITY_IAM" as const, "CAPABILITY_AUTO_EXPAND" as const],
      TimeoutInMinutes: 15,
      Tags: [{ Key: "team", Value: "payments" }],
    };
    const request = await sentBy(() => cloudformation.send(new CreateStackCommand(input)), sent);
    expect(decodeModelRequest(cloudformationModel, { ...request, query: request.query.toString() })).toEqual({
      operation: "CreateStack",
      input,
    });
  });

  it("reads an empty list, which the SDK sends as a bare `Name=`", async () => {
    const request = await sentBy(
      () =>
        cloudformation.send(
          new UpdateStackCommand({ StackName: "orders", UsePreviousTemplate: true, Tags: [] }),
        ),
      sent,
    );
    const decoded = decodeModelRequest(cloudformationModel, { ...request, query: request.query.toString() });
    expect(decoded.input).toEqual({ StackName: "orders", UsePreviousTemplate: true, Tags: [] });
  });

  it("reads STS's integers, and refuses text that is not one", async () => {
    const request = await sentBy(
      () =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: "arn:aws:iam::111111111111:role/r",
            RoleSessionName: "s1",
            DurationSeconds: 3600,
          }),
        ),
      sent,
    );
    expect(decodeModelRequest(stsModel, { ...request, query: request.query.toString() }).input).toEqual({
      RoleArn: "arn:aws:iam::111111111111:role/r",
      RoleSessionName: "s1",
      DurationSeconds: 3600,
    });
    expect(() =>
      decodeQueryInput(stsModel, "AssumeRole", {
        RoleArn: "r",
        RoleSessionName: "s",
        DurationSeconds: "an hour",
      }),
    ).toThrow(expect.objectContaining({ code: "SerializationException" }));
  });
});
