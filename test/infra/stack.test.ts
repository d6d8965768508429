// CDK assertions on the huitou stack and a cdk-nag AwsSolutions run.
// Every expected name and setting comes from lib/resources.ts, so the tests
// follow the definition rather than restate it. The app uses cdk.json's
// context (feature flags), like `cdk synth` does. Bundling runs for real
// (local esbuild, a few seconds), so a handler that does not bundle fails here.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HuitouStack, minVisibilityTimeoutFactor, publishedSesEvents } from '../../lib/huitou-stack';
import {
  definitionEnvironment,
  envNames,
  functionEnvironment,
  functions,
  inboxPartitionPrefix,
  queues,
  routes,
  table,
} from '../../lib/resources';
import type { FunctionDefinition, FunctionName, QueueName } from '../../lib/resources';
import { allowLoopbackStoreApiEnv } from '../../functions/shared/store-url-policy';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The sender a deployment names with -c emailFrom=... */
const testEmailFrom = 'Shop <shop@example.com>';

function newApp(): App {
  return new App({ context: { ...cdkJson.context, emailFrom: testEmailFrom } });
}

type Resource = { Type: string; Properties: Record<string, unknown>; Condition?: string };

const functionNames = Object.keys(functions) as FunctionName[];
const queueEntries = Object.entries(queues);

let stack: HuitouStack;
let template: Template;

/** Logical id of a construct's CloudFormation resource. */
function logicalId(construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnRole | CfnFunction);
}

/** The statements of the default policy attached to a function's role. */
function roleStatements(name: FunctionName): { Action: string | string[]; Resource: unknown }[] {
  const roleId = logicalId(stack.functions[name].role);
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
  ) as Resource[];
  return policies.flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
  );
}

function actionsOf(statement: { Action: string | string[] }): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

beforeAll(() => {
  stack = new HuitouStack(newApp(), 'Huitou');
  template = Template.fromStack(stack);
});

describe('HuitouStack: table', () => {
  it('bills on demand, keeps point-in-time recovery on and encrypts with a KMS key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('keeps the table when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });

  it('takes its key schema and TTL attribute from lib/resources.ts', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
    });
  });

  it.each(table.indexes.map((index) => [index.indexName, index] as const))(
    'creates the GSI %s with its keys from lib/resources.ts',
    (indexName, index) => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: Match.arrayWith([
          Match.objectLike({
            IndexName: indexName,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
            ],
          }),
        ]),
      });
    },
  );
});

describe('HuitouStack: queues', () => {
  it.each(queueEntries)('gives the %s queue a DLQ with maxReceiveCount from the definition', (name, def) => {
    const { queue, dlq } = stack.queues[name as keyof typeof queues];
    const queueProps = template.toJSON().Resources[logicalId(queue)].Properties;
    expect(queueProps.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(dlq), 'Arn'] },
      maxReceiveCount: def.maxReceiveCount,
    });
    const dlqProps = template.toJSON().Resources[logicalId(dlq)].Properties;
    expect(dlqProps.MessageRetentionPeriod).toBe(def.dlqRetentionDays * 24 * 3600);
  });

  const consumedQueues = queueEntries.filter(
    (entry): entry is [string, (typeof entry)[1] & { consumer: keyof typeof functions }] => entry[1].consumer !== undefined,
  );

  it.each(consumedQueues)('sets the %s visibility timeout to at least 6 x its consumer timeout', (name, def) => {
    const props = template.toJSON().Resources[logicalId(stack.queues[name as keyof typeof queues].queue)].Properties;
    expect(props.VisibilityTimeout).toBe(def.visibilityTimeoutSeconds);
    expect(props.VisibilityTimeout).toBeGreaterThanOrEqual(
      minVisibilityTimeoutFactor * functions[def.consumer].timeoutSeconds,
    );
  });

  it('encrypts every queue and DLQ with SQS-managed keys', () => {
    const all = Object.values(template.findResources('AWS::SQS::Queue')) as Resource[];
    expect(all).toHaveLength(queueEntries.length * 2);
    for (const queue of all) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('denies requests without TLS on every queue and DLQ', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as Resource[];
    expect(policies).toHaveLength(queueEntries.length * 2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it.each(queueEntries)('alarms when the %s DLQ holds any message for one period', (name) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack.queues[name as keyof typeof queues].dlq), 'QueueName'] },
        },
      ],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      AlarmActions: { 'Fn::If': ['HasAlarmEmail', Match.anyValue(), { Ref: 'AWS::NoValue' }] },
    });
  });

  it.each(consumedQueues)('makes the %s consumer report batch item failures', (name, def) => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.queues[name as keyof typeof queues].queue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.functions[def.consumer].function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: def.batchSize,
      MaximumBatchingWindowInSeconds: def.maxBatchingWindowSeconds,
    });
  });
});

describe('HuitouStack: functions', () => {
  it('runs every function on nodejs22.x and arm64 with JSON logs into its own log group', () => {
    const lambdas = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(lambdas)).toHaveLength(functionNames.length);
    for (const name of functionNames) {
      const props = (lambdas[logicalId(stack.functions[name].function)] as Resource).Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Timeout: functions[name].timeoutSeconds,
        MemorySize: functions[name].memoryMiB,
        LoggingConfig: {
          LogFormat: 'JSON',
          LogGroup: { Ref: stack.getLogicalId(stack.functions[name].logGroup.node.defaultChild as CfnRole) },
        },
      });
    }
  });

  it('keeps the webhook bundle under 500 KiB minified (the AWS SDK stays external)', () => {
    const code = (template.toJSON().Resources[logicalId(stack.functions.webhook.function)] as Resource).Properties
      .Code as { S3Key: string };
    const assetDir = path.join((stack.node.root as App).outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const bundle = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    expect(statSync(path.join(assetDir, 'index.js')).size).toBeLessThan(500 * 1024);
    // The SDK is loaded from the runtime, not bundled.
    expect(bundle).toContain('require("@aws-sdk/');
  });

  it('gives every log group a retention period', () => {
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')) as Resource[]) {
      expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('attaches no managed policy to any function role', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Resource[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('gives each function exactly the env its definition names, pointing at this stack\'s resources', () => {
    for (const name of functionNames) {
      const env = (template.toJSON().Resources[logicalId(stack.functions[name].function)] as Resource).Properties
        .Environment as { Variables: Record<string, unknown> };
      const expected = functionEnvironment(name, {
        tableName: `table`,
        queueUrl: (queue) => `queue:${queue}`,
        dlqUrl: (queue) => `dlq:${queue}`,
        email: () => ({ from: 'email:from', configurationSet: 'email:configurationSet' }),
        publicUrl: () => 'publicUrl:',
      });
      expect(Object.keys(env.Variables).sort()).toEqual(Object.keys(expected).sort());
      for (const [key, value] of Object.entries(expected)) {
        const [kind, queue] = value.split(':') as [string, QueueName | undefined];
        if (key === envNames.table) expect(env.Variables[key]).toEqual({ Ref: logicalId(stack.table) });
        else if (kind === 'queue' && queue) expect(env.Variables[key]).toEqual({ Ref: logicalId(stack.queues[queue].queue) });
        else if (kind === 'dlq' && queue) expect(env.Variables[key]).toEqual({ Ref: logicalId(stack.queues[queue].dlq) });
        else if (value === 'email:from') expect(env.Variables[key]).toBe(testEmailFrom);
        else if (value === 'email:configurationSet') expect(env.Variables[key]).toEqual({ Ref: logicalId(stack.mailConfigurationSet) });
        else if (value === 'publicUrl:') expect(env.Variables[key]).toEqual({ 'Fn::GetAtt': [logicalId(stack.httpApi), 'ApiEndpoint'] });
        else expect(env.Variables[key]).toBe(value);
      }
    }
  });

  it('gives the processor one queue URL, of the customer events it emits on a refresh', () => {
    expect(functions.processor.sendsTo).toEqual(['customerEvents']);
    const env = (template.toJSON().Resources[logicalId(stack.functions.processor.function)] as Resource).Properties
      .Environment as { Variables: Record<string, unknown> };
    expect(Object.keys(env.Variables).filter((key) => key.endsWith('_URL'))).toEqual(['CUSTOMEREVENTS_QUEUE_URL']);
  });

  it('lets no deployed function send a store token to loopback or over http', () => {
    for (const name of functionNames) {
      const env = (template.toJSON().Resources[logicalId(stack.functions[name].function)] as Resource).Properties
        .Environment as { Variables: Record<string, unknown> };
      expect(env.Variables[allowLoopbackStoreApiEnv]).toBeUndefined();
    }
  });

  it('lets the webhook function GetItem on the table, PutItem only in the inbox, and nothing else on DynamoDB', () => {
    const dynamo = roleStatements('webhook').filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const tableArn = { 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] };
    expect(dynamo).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn },
      {
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: tableArn,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${inboxPartitionPrefix}*`] } },
      },
    ]);
  });

  it('lets every queue and its DLQ carry a message as large as the queue definition allows', () => {
    const sizes = (Object.values(template.findResources('AWS::SQS::Queue')) as Resource[]).map(
      (queue) => queue.Properties.MaximumMessageSize,
    );
    expect(sizes).toEqual(Object.values(queues).flatMap((queue) => [queue.maxMessageBytes, queue.maxMessageBytes]));
  });

  it.each(functionNames)('lets the %s function send only to the queues its definition names', (name) => {
    const definition: FunctionDefinition = functions[name];
    const sendTo = roleStatements(name).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    // CDK merges the statements of one action into one with several resources, and a
    // function that sends to a queue it also consumes (the sender's deferrals) gets one
    // statement with the consumer's rights on that queue.
    const consumed = new Set<string>(Object.values(queues).filter((q) => q.consumer === name).map((q) => q.id));
    for (const statement of sendTo.filter((s) => s.Action !== 'sqs:SendMessage')) {
      expect(actionsOf(statement).sort()).toEqual(
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'].sort(),
      );
      const [queueId] = JSON.stringify(statement.Resource).match(/[A-Za-z]+Queue(?=[0-9A-F]{8})/) ?? [];
      expect(consumed.has(queueId ?? '')).toBe(true);
    }
    const resources = sendTo.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(resources).toHaveLength(new Set([...definition.sendsTo, ...definition.redrives]).size);
    expect(resources).toEqual(
      expect.arrayContaining(
        [...new Set([...definition.sendsTo, ...definition.redrives])].map((queue) => ({
          'Fn::GetAtt': [logicalId(stack.queues[queue].queue), 'Arn'],
        })),
      ),
    );
  });

  it.each(functionNames)('lets the %s function receive and delete only on the DLQs it redrives', (name) => {
    const definition: FunctionDefinition = functions[name];
    const onDlqs = roleStatements(name).filter(
      (s) => actionsOf(s).includes('sqs:ReceiveMessage') && !actionsOf(s).includes('sqs:ChangeMessageVisibility'),
    );
    expect(onDlqs).toEqual(
      definition.redrives.map((queue) => ({
        Effect: 'Allow',
        Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        Resource: { 'Fn::GetAtt': [logicalId(stack.queues[queue].dlq), 'Arn'] },
      })),
    );
  });

  it.each(['processor', 'admin'] as const)('lets the %s function read and write the table', (name) => {
    const actions = roleStatements(name).flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
  });

  it('scopes Query to the table and its own indexes, named one by one', () => {
    const tableArn = { 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] };
    const query = roleStatements('processor').find((s) => actionsOf(s).includes('dynamodb:Query'));
    const expected = [tableArn, ...table.indexes.map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]] }))];
    expect(query?.Resource).toHaveLength(expected.length);
    expect(query?.Resource).toEqual(expect.arrayContaining(expected));
  });

  it('grants no wildcard action and no wildcard resource in any IAM policy', () => {
    for (const name of functionNames) {
      for (const statement of roleStatements(name)) {
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        expect(JSON.stringify(statement.Resource)).not.toContain('*');
      }
    }
  });
});

describe('HuitouStack: HTTP API', () => {
  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'routes %s to its function with payload format 2.0',
    (routeKey, route) => {
      const routeResource = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
      ) as Resource[];
      expect(routeResource).toHaveLength(1);
      const target = routeResource[0]?.Properties.Target as { 'Fn::Join': [string, unknown[]] };
      const integrationRef = target['Fn::Join'][1][1] as { Ref: string };
      const integration = template.toJSON().Resources[integrationRef.Ref] as Resource;
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalId(stack.functions[route.function].function), 'Arn'] },
      });
    },
  );

  it('defines no route beyond lib/resources.ts', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  });

  it('holds exactly the declared route keys: each admin route, then its catch-all for the rest', () => {
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (resource) => (resource as Resource).Properties.RouteKey as string,
    );

    expect([...routeKeys].sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
    expect(routeKeys).toEqual(expect.arrayContaining(['PATCH /admin/channels/{channelId}', 'POST /admin/quarantine/{quarantineId}/replay', 'ANY /admin/{proxy+}']));
  });

  it('writes access logs from the auto-deployed $default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HttpApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  it('outputs the API URL, the table name and every queue and DLQ URL', () => {
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toEqual(expect.arrayContaining(['ApiUrl', 'TableName', 'IngestQueueUrl', 'IngestDlqUrl']));
  });
});

describe('HuitouStack: mail', () => {
  const sesActions = (name: FunctionName): string[] =>
    roleStatements(name)
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('ses:'));

  it('publishes every kind of SES event of its configuration set to the default event bus', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: logicalId(stack.mailConfigurationSet) },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: publishedSesEvents.map(({ event }) => event),
        EventBridgeDestination: {
          EventBusArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':event-bus/default$')])] },
        },
      },
    });
    expect(publishedSesEvents.map(({ event }) => event)).toEqual(
      expect.arrayContaining(['send', 'delivery', 'bounce', 'complaint', 'open', 'click', 'reject', 'renderingFailure', 'deliveryDelay']),
    );
  });

  it("routes only this configuration set's SES events to the sesEvents queue, with its DLQ for failed deliveries", () => {
    const { queue, dlq } = stack.queues.sesEvents;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': publishedSesEvents.map(({ detailType }) => detailType),
        detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: logicalId(stack.mailConfigurationSet) }] } } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(dlq), 'Arn'] } },
        }),
      ],
    });
  });

  it('lets EventBridge send to the sesEvents queue only from its rule', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as Resource[];
    const statements = policies.flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const fromEvents = statements.filter((s) => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
    expect(fromEvents.length).toBeGreaterThan(0);
    for (const statement of fromEvents) {
      // The queue: CDK's grantSendMessages (send, and the two reads a sender
      // may make); the DLQ of failed deliveries: send alone.
      const actions = [statement.Action].flat() as string[];
      expect(actions).toContain('sqs:SendMessage');
      expect(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']).toEqual(expect.arrayContaining(actions));
      expect(statement.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(stack.sesEventsRule), 'Arn'] } } });
    }
  });

  it('consumes the sesEvents queue with the sesFeedback function', () => {
    expect(queues.sesEvents.consumer).toBe('sesFeedback');
  });

  it('gives no SES right to a function whose definition does not send mail, the admin function least of all', () => {
    expect(sesActions('admin')).toEqual([]);
    for (const name of functionNames) {
      const definition: FunctionDefinition = functions[name];
      if (!definition.email) expect(sesActions(name), name).toEqual([]);
    }
  });

  it('lets the sender SendEmail as the configured sender through the configuration set, and nothing more of SES', () => {
    expect(functions.sender.email).toBe(true);
    const statements = roleStatements('sender');
    const ses = statements.filter((s) => actionsOf(s).some((action) => action.startsWith('ses:')));
    const arn = (resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
    });
    expect(ses).toHaveLength(1);
    expect(ses[0]?.Action).toBe('ses:SendEmail');
    expect(ses[0]?.Resource).toHaveLength(3);
    expect(ses[0]?.Resource).toEqual(
      expect.arrayContaining([
          arn('identity/shop@example.com'),
          arn('identity/example.com'),
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ses:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':configuration-set/',
                { Ref: logicalId(stack.mailConfigurationSet) },
              ],
            ],
          },
      ]),
    );
  });

  it('refuses to synthesize a mail-sending function without an emailFrom, saying how to give one', () => {
    // The sender sends mail, so the stack itself refuses.
    expect(() => new HuitouStack(new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } }), 'Huitou')).toThrow(
      /sends mail, so the stack needs a sender: cdk deploy -c emailFrom=/,
    );
  });

  it('gives a definition with email and publicUrl the sender, the configuration set and the public URL', () => {
    const env = definitionEnvironment(
      { ...functions.sesFeedback, email: true, publicUrl: true },
      {
        tableName: 't',
        queueUrl: () => 'q',
        dlqUrl: () => 'd',
        email: () => ({ from: 'shop@example.com', configurationSet: 'mail' }),
        publicUrl: () => 'https://api.example.com',
      },
    );
    expect(env).toMatchObject({
      [envNames.emailFrom]: 'shop@example.com',
      [envNames.sesConfigurationSet]: 'mail',
      [envNames.publicUrl]: 'https://api.example.com',
    });
  });

  it.each(['GET', 'POST'])('serves %s /u/{token} with the unsubscribe function and no authorizer', (method) => {
    const [route] = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: `${method} /u/{token}` } }),
    ) as Resource[];
    expect(route?.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(route?.Properties.AuthorizerId).toBeUndefined();
    const target = route?.Properties.Target as { 'Fn::Join': [string, unknown[]] };
    const integration = template.toJSON().Resources[(target['Fn::Join'][1][1] as { Ref: string }).Ref] as Resource;
    expect(integration.Properties.IntegrationUri).toEqual({
      'Fn::GetAtt': [logicalId(stack.functions.unsubscribe.function), 'Arn'],
    });
  });
});

describe('HuitouStack: alarm notifications', () => {
  it('creates the encrypted, TLS-only topic and its email subscription only when AlarmEmail is set', () => {
    template.hasParameter('AlarmEmail', { Type: 'String', Default: '' });
    template.hasCondition('HasAlarmEmail', {
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }],
    });
    template.hasResource('AWS::SNS::Subscription', {
      Condition: 'HasAlarmEmail',
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
    });
    template.hasResource('AWS::SNS::Topic', {
      Condition: 'HasAlarmEmail',
      Properties: Match.objectLike({ KmsMasterKeyId: Match.anyValue() }),
    });
    template.hasResource('AWS::KMS::Key', {
      Condition: 'HasAlarmEmail',
      Properties: Match.objectLike({ EnableKeyRotation: true }),
    });
    template.hasResource('AWS::SNS::TopicPolicy', {
      Condition: 'HasAlarmEmail',
      Properties: Match.objectLike({
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        }),
      }),
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  let app: App;
  let nagStack: HuitouStack;

  beforeAll(() => {
    app = newApp();
    nagStack = new HuitouStack(app, 'Huitou');
  });

  it('reports no unacknowledged error and no unacknowledged warning', () => {
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(nagStack);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledgements = nagStack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(reason.length, id).toBeGreaterThan(60);
    }
  });

  it('synthesizes with the AwsSolutions checks registered as a validation plugin', () => {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    expect(() => app.synth()).not.toThrow();
    expect(Stack.of(nagStack).stackName).toBe('Huitou');
  });
});
