// The constraints generate-models.mjs adds to or changes in AWS's 2023 service models, each with
// the evidence that AWS answers so now.
/**
 * Where AWS's answers today differ from the early-2023 models Debian ships, the answer wins. Each
 * entry names its evidence. Per service: `shapes` changes the constraints of a shape the model has
 * (`appendEnum` adds values to its enum); `newShapes` adds a shape AWS's later models declare;
 * `members` ("Operation.Member": shape) checks an operation's member against another shape, where
 * AWS now validates it so; `newOperations` adds an operation AWS added since, as its later model
 * declares it. Never a new member of an operation the model has.
 */
export const supplements = {
  cloudformation: {
    shapes: {
      // AWS documents TemplateBody as 1 to 51,200 bytes and answers CreateStack with "Member must
      // have length less than or equal to 51200" (recorded: test_template_engine,
      // test_to_validate_template_limit_for_macro); the 2023 model has only the minimum.
      TemplateBody: { max: 51200 },
    },
  },
  events: {
    shapes: {
      // The methods in the order AWS's answer lists them ("Member must satisfy enum value set:
      // [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]", recorded: test_api_destinations_and_connection,
      // test_create_api_destination_invalid_parameters); the model lists them otherwise.
      ApiDestinationHttpMethod: { enum: ["HEAD", "POST", "PATCH", "DELETE", "PUT", "GET", "OPTIONS"] },
      // An OAuth connection's token method is taken in any case: CreateConnection with
      // `HttpMethod: "put"` succeeded (recorded: test_api_destinations_and_connection,
      // test_api_destinations[auth2]).
      ConnectionOAuthHttpMethod: { enumIgnoresCase: true },
    },
  },
  lambda: {
    shapes: {
      // Runtimes AWS added after the model was cut (docs: lambda/latest/dg/lambda-runtimes.html);
      // without them the model would refuse nodejs20.x, which Jeff runs.
      Runtime: {
        appendEnum: [
          "nodejs20.x",
          "nodejs22.x",
          "nodejs24.x",
          "python3.10",
          "python3.11",
          "python3.12",
          "python3.13",
          "python3.14",
          "java17",
          "java21",
          "java25",
          "dotnet8",
          "dotnet10",
          "ruby3.2",
          "ruby3.3",
          "ruby3.4",
          "provided.al2023",
        ],
      },
      // Function names: AWS's answers of November 2025 quote these patterns (recorded:
      // test_function_name_and_qualifier_validation, CreateFunction with FunctionName; GetFunction,
      // DeleteFunction and Invoke with NamespacedFunctionName), which botocore's model publishes
      // from 2026-06 (boto/botocore 77e35af7c). A namespaced name may be 256 characters long: AWS
      // checks a 233-character ARN against the pattern only.
      FunctionName: {
        pattern:
          "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
      },
      NamespacedFunctionName: {
        max: 256,
        pattern:
          "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
      },
    },
    newShapes: {
      // GetFunctionRecursionConfig and PutFunctionRecursionConfig (below), as botocore's model
      // declares them since 2024-08; the enum in the order AWS's answer lists it ("Member must
      // satisfy enum value set: [Terminate, Allow]", recorded: TestLambdaRecursion).
      UnqualifiedFunctionName: {
        type: "string",
        min: 1,
        max: 140,
        pattern:
          "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)",
      },
      RecursiveLoop: { type: "string", enum: ["Terminate", "Allow"] },
      GetFunctionRecursionConfigRequest: {
        type: "structure",
        required: ["FunctionName"],
        members: {
          FunctionName: { shape: "UnqualifiedFunctionName", location: "uri", locationName: "FunctionName" },
        },
      },
      PutFunctionRecursionConfigRequest: {
        type: "structure",
        required: ["FunctionName", "RecursiveLoop"],
        members: {
          FunctionName: { shape: "UnqualifiedFunctionName", location: "uri", locationName: "FunctionName" },
          RecursiveLoop: { shape: "RecursiveLoop" },
        },
      },
      // What the tag calls take: a function or another taggable Lambda resource, as AWS's answers
      // quote it ("Event source mapping not found: arn:…", recorded: test_tag_exceptions) and
      // botocore's model declares it since 2024 (TaggableResource).
      TaggableResource: {
        type: "string",
        min: 1,
        max: 256,
        pattern:
          "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)",
      },
      // The Qualifier of the calls on a function's version or alias, as AWS's answers quote it
      // (recorded: test_permission_exceptions, AddPermission) and botocore's model declares it
      // since 2025-12 (boto/botocore c18b100b8).
      NumericLatestPublishedOrAliasQualifier: {
        type: "string",
        min: 1,
        max: 128,
        pattern: "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
      },
    },
    newOperations: {
      GetFunctionRecursionConfig: {
        http: {
          method: "GET",
          requestUri: "/2024-08-31/functions/{FunctionName}/recursion-config",
          responseCode: 200,
        },
        input: { shape: "GetFunctionRecursionConfigRequest" },
        output: { shape: "GetFunctionRecursionConfigResponse" },
        errors: [
          "InvalidParameterValueException",
          "ServiceException",
          "TooManyRequestsException",
          "ResourceNotFoundException",
        ].map((shape) => ({ shape })),
      },
      PutFunctionRecursionConfig: {
        http: {
          method: "PUT",
          requestUri: "/2024-08-31/functions/{FunctionName}/recursion-config",
          responseCode: 200,
        },
        input: { shape: "PutFunctionRecursionConfigRequest" },
        output: { shape: "PutFunctionRecursionConfigResponse" },
        errors: [
          "InvalidParameterValueException",
          "ResourceConflictException",
          "ServiceException",
          "TooManyRequestsException",
          "ResourceNotFoundException",
        ].map((shape) => ({ shape })),
      },
    },
    // Which calls check FunctionName as a namespaced name and Qualifier as above: AWS's answers
    // quote those patterns for DeleteFunction (recorded: test_function_name_and_qualifier_validation)
    // and AddPermission (test_permission_exceptions); the rest as botocore's model of 2026-07 binds
    // them (boto/botocore 7831fa13c).
    members: Object.fromEntries([
      ...[
        "AddPermission",
        "CreateEventSourceMapping",
        "DeleteFunction",
        "DeleteFunctionCodeSigningConfig",
        "DeleteFunctionEventInvokeConfig",
        "GetFunctionCodeSigningConfig",
        "GetFunctionEventInvokeConfig",
        "GetRuntimeManagementConfig",
        "ListEventSourceMappings",
        "ListFunctionEventInvokeConfigs",
        "PutFunctionCodeSigningConfig",
        "PutFunctionEventInvokeConfig",
        "PutRuntimeManagementConfig",
        "RemovePermission",
        "UpdateEventSourceMapping",
        "UpdateFunctionEventInvokeConfig",
      ].map((op) => [`${op}.FunctionName`, "NamespacedFunctionName"]),
      ...[
        "AddPermission",
        "DeleteFunction",
        "DeleteFunctionEventInvokeConfig",
        "GetFunction",
        "GetFunctionConfiguration",
        "GetFunctionEventInvokeConfig",
        "GetPolicy",
        "GetRuntimeManagementConfig",
        "Invoke",
        "PutFunctionEventInvokeConfig",
        "PutRuntimeManagementConfig",
        "RemovePermission",
        "UpdateFunctionEventInvokeConfig",
      ].map((op) => [`${op}.Qualifier`, "NumericLatestPublishedOrAliasQualifier"]),
      ...["ListTags", "TagResource", "UntagResource"].map((op) => [`${op}.Resource`, "TaggableResource"]),
    ]),
  },
};
