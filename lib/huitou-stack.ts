// huitou's cloud stack, built from the one definition in lib/resources.ts: the
// table and its indexes, every queue with its DLQ and consumer, the functions
// and the HTTP API routes. Nothing here restates a name or a setting that
// resources.ts holds; it only adds what the cloud needs on top (encryption,
// grants, alarms, logs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  CfnResource,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  TimeZone,
  Token,
  Validations,
} from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  CfnAlarm,
  ComparisonOperator,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { SqsSendMessage } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { LambdaFunction } from './lambda-function';
import { functionEnvironment, functions, queues, routes, table as tableDefinition } from './resources';
import type { FunctionDefinition, FunctionName, KeyType, QueueName, TableAccess } from './resources';
import { resolveSchedule } from './schedule-expression';

/** The project root: entry paths in resources.ts are relative to it. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * How each function behind a route authenticates its callers. API Gateway
 * does not (cdk-nag APIG4): these texts are the suppression reasons, and a
 * route to a function without one fails synthesis.
 */
export const routeAuthentication: Partial<Record<FunctionName, string>> = {
  webhook:
    'Webhooks are called by Shopify, WooCommerce, BigCommerce and Standard Webhooks senders, which cannot use ' +
    'API Gateway authorizers. The webhook function authenticates every request by the HMAC-SHA256 signature ' +
    "over the raw body with the channel's secret and answers 401 before anything is stored.",
  admin:
    'The admin API authenticates with huitou API keys (Authorization: Bearer), checked and role-gated in the ' +
    'admin function, so the CLI works the same against the local stack and the cloud. 401 without a valid ' +
    'key, 403 without the right role.',
  unsubscribe:
    'Unsubscribe links are opened by mail recipients and their mail clients (RFC 8058 one-click POST), who hold ' +
    'no credential but the link. The path carries an HMAC-SHA256 token over the customer, the campaign and the ' +
    "address's digest; the function answers 404 to any token it did not sign and changes nothing on GET.",
};

/**
 * The SES events the configuration set publishes, as the configuration set
 * names them and as EventBridge's detail-type names them
 * (functions/domain/campaigns/ses-events.ts reads the same events).
 */
export const publishedSesEvents: readonly { event: EmailSendingEvent; detailType: string }[] = [
  { event: EmailSendingEvent.SEND, detailType: 'Email Sent' },
  { event: EmailSendingEvent.DELIVERY, detailType: 'Email Delivered' },
  { event: EmailSendingEvent.BOUNCE, detailType: 'Email Bounced' },
  { event: EmailSendingEvent.COMPLAINT, detailType: 'Email Complaint Received' },
  { event: EmailSendingEvent.OPEN, detailType: 'Email Opened' },
  { event: EmailSendingEvent.CLICK, detailType: 'Email Clicked' },
  { event: EmailSendingEvent.REJECT, detailType: 'Email Rejected' },
  { event: EmailSendingEvent.RENDERING_FAILURE, detailType: 'Email Rendering Failed' },
  { event: EmailSendingEvent.DELIVERY_DELAY, detailType: 'Email Delivery Delayed' },
];

/** The address in a From value (`Name <address>` or a bare address). */
export function senderAddress(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1]?.trim() ?? from.trim();
}

/** DynamoDB actions of each table access level, named one by one (no wildcards). */
const tableActions: Record<TableAccess, { items: string[]; query: boolean }> = {
  'get-only': { items: ['dynamodb:GetItem'], query: false },
  read: { items: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'], query: true },
  'read-write': {
    items: [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ],
    query: true,
  },
};

const attributeType: Record<KeyType, AttributeType> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
};

/** AWS guidance for SQS event sources: visibility timeout at least 6 x the function timeout. */
export const minVisibilityTimeoutFactor = 6;

function entriesOf<K extends string, V>(record: Readonly<Record<K, V>>): [K, V][] {
  return Object.entries(record) as [K, V][];
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export interface QueueWithDlq {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly dlqDepthAlarm: Alarm;
}

export class HuitouStack extends Stack {
  readonly table: Table;
  readonly queues: Record<QueueName, QueueWithDlq>;
  readonly functions: Record<FunctionName, LambdaFunction>;
  readonly httpApi: HttpApi;
  readonly apiStage: HttpStage;
  readonly alarmTopic: Topic;
  /** EventBridge Scheduler schedules by their id in lib/resources.ts. */
  readonly schedules: Record<string, Schedule>;
  /** The SES configuration set of huitou's mail; its events reach the sesEvents queue. */
  readonly mailConfigurationSet: ConfigurationSet;
  readonly sesEventsRule: Rule;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // --- Table --------------------------------------------------------------
    // AWS-managed key (aws/dynamodb): encrypted at rest with a KMS key whose
    // use shows in CloudTrail, without a key policy to keep right, a key to
    // lose, or KMS grants on every function and on every PITR restore.
    this.table = new Table(this, tableDefinition.id, {
      partitionKey: {
        name: tableDefinition.partitionKey.name,
        type: attributeType[tableDefinition.partitionKey.type],
      },
      sortKey: { name: tableDefinition.sortKey.name, type: attributeType[tableDefinition.sortKey.type] },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDefinition.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey.name, type: attributeType[index.partitionKey.type] },
        sortKey: { name: index.sortKey.name, type: attributeType[index.sortKey.type] },
      });
    }

    // --- Alarm topic (only when AlarmEmail is set) ---------------------------
    const alarmEmail = new CfnParameter(this, 'AlarmEmail', {
      type: 'String',
      default: '',
      description: 'Email address that receives huitou alarms (DLQ depth). Leave empty for no notifications.',
      allowedPattern: '^$|^[^@\\s]+@[^@\\s]+$',
      constraintDescription: 'must be empty or an email address',
    });
    const hasAlarmEmail = new CfnCondition(this, 'HasAlarmEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')),
    });
    // SNS encryption needs a customer-managed key: CloudWatch cannot publish to
    // a topic under the AWS-managed aws/sns key, whose policy cannot be edited.
    const alarmKey = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the huitou alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    alarmKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'huitou alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.alarmTopic.addSubscription(new EmailSubscription(alarmEmail.valueAsString));
    for (const child of [...alarmKey.node.findAll(), ...this.alarmTopic.node.findAll()]) {
      if (child instanceof CfnResource) child.cfnOptions.condition = hasAlarmEmail;
    }
    const alarmActions = Token.asList(
      Fn.conditionIf(hasAlarmEmail.logicalId, [this.alarmTopic.topicArn], Aws.NO_VALUE),
    );

    // --- Queues, each with its DLQ and a depth alarm -------------------------
    const queueEntries = entriesOf<QueueName, (typeof queues)[QueueName]>(queues).map(([name, def]) => {
      const consumerTimeout = functions[def.consumer].timeoutSeconds;
      if (def.visibilityTimeoutSeconds < minVisibilityTimeoutFactor * consumerTimeout) {
        throw new Error(
          `Queue ${name}: visibility timeout ${def.visibilityTimeoutSeconds} s is under ` +
            `${minVisibilityTimeoutFactor} x the ${def.consumer} timeout (${consumerTimeout} s)`,
        );
      }
      const dlq = new Queue(this, `${def.id}Dlq`, {
        retentionPeriod: Duration.days(def.dlqRetentionDays),
        // A dead letter keeps the whole message it came as.
        maxMessageSizeBytes: def.maxMessageBytes,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      const queue = new Queue(this, def.id, {
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(def.retentionDays),
        maxMessageSizeBytes: def.maxMessageBytes,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
      const dlqDepthAlarm = new Alarm(this, `${def.id}DlqDepthAlarm`, {
        alarmDescription:
          `Messages on the ${name} DLQ: the ${def.consumer} function failed them ` +
          `${def.maxReceiveCount} times. Inspect them, fix the cause, then redrive.`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: Stats.MAXIMUM,
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      // Notify (and notify the recovery) through the topic when it exists.
      const cfnAlarm = dlqDepthAlarm.node.defaultChild as CfnAlarm;
      cfnAlarm.alarmActions = alarmActions;
      cfnAlarm.okActions = alarmActions;
      return [name, { queue, dlq, dlqDepthAlarm }] as const;
    });
    this.queues = Object.fromEntries(queueEntries) as Record<QueueName, QueueWithDlq>;

    // --- HTTP API (the API itself: functions that write links need its URL) ---
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'huitou: marketplace webhooks, the admin API and unsubscribe links',
      createDefaultStage: false,
    });

    // --- Mail: the configuration set and the path of its events --------------
    // SES publishes the events of mail sent with this configuration set to the
    // default event bus; a rule that matches this configuration set's tag
    // sends them to the sesEvents queue, whose consumer is sesFeedback.
    // EventBridge rather than SNS: no topic and no customer-managed KMS key to
    // encrypt it (SES can publish to neither an unencrypted topic cdk-nag
    // accepts nor one under aws/sns), every event comes with an id, and the
    // rule filters on the configuration set.
    this.mailConfigurationSet = new ConfigurationSet(this, 'MailConfigurationSet', { reputationMetrics: true });
    this.mailConfigurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultEventBus', 'default')),
      events: publishedSesEvents.map(({ event }) => event),
    });
    const sesEvents = this.queues.sesEvents;
    this.sesEventsRule = new Rule(this, 'SesEventsRule', {
      description: "SES events of huitou's configuration set, to the sesEvents queue",
      eventPattern: {
        source: ['aws.ses'],
        detailType: publishedSesEvents.map(({ detailType }) => detailType),
        detail: { mail: { tags: { 'ses:configuration-set': [this.mailConfigurationSet.configurationSetName] } } },
      },
      // A delivery EventBridge cannot make within a day goes to the queue's own
      // DLQ, whose depth alarm tells someone.
      targets: [new SqsQueue(sesEvents.queue, { deadLetterQueue: sesEvents.dlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
    const emailFrom = this.node.tryGetContext('emailFrom') as string | undefined;
    const publicUrl = (this.node.tryGetContext('publicUrl') as string | undefined) ?? this.httpApi.apiEndpoint;

    // --- Functions ------------------------------------------------------------
    const indexArns = tableDefinition.indexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`);
    const functionEntries = entriesOf<FunctionName, FunctionDefinition>(functions).map(([name, def]) => {
      const fn = new LambdaFunction(this, def.id, {
        entry: path.join(projectRoot, def.entry),
        description: def.description,
        timeout: Duration.seconds(def.timeoutSeconds),
        memorySize: def.memoryMiB,
        environment: functionEnvironment(name, {
          tableName: this.table.tableName,
          queueUrl: (queue) => this.queues[queue].queue.queueUrl,
          dlqUrl: (queue) => this.queues[queue].dlq.queueUrl,
          email: () => ({ from: requireEmailFrom(emailFrom, name), configurationSet: this.mailConfigurationSet.configurationSetName }),
          publicUrl: () => publicUrl,
        }),
        projectRoot,
        logRetention: RetentionDays.ONE_MONTH,
      });
      this.grantWiring(fn, def, indexArns, emailFrom);
      return [name, fn] as const;
    });
    this.functions = Object.fromEntries(functionEntries) as Record<FunctionName, LambdaFunction>;

    for (const [queueName, def] of entriesOf<QueueName, (typeof queues)[QueueName]>(queues)) {
      // Grants the consumer ReceiveMessage, DeleteMessage, ChangeMessageVisibility
      // and GetQueueAttributes on this queue only.
      this.functions[def.consumer].function.addEventSource(
        new SqsEventSource(this.queues[queueName].queue, {
          batchSize: def.batchSize,
          maxBatchingWindow: Duration.seconds(def.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
          maxConcurrency: 'maxConcurrency' in def ? def.maxConcurrency : undefined,
        }),
      );
    }

    this.schedules = this.addSchedules();

    // --- HTTP API stage and routes ----------------------------------------------
    const accessLogGroup = new LogGroup(this, 'HttpApiAccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.apiStage = new HttpStage(this, 'HttpApiDefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of routes) {
      const reason = routeAuthentication[route.function];
      if (reason === undefined) {
        throw new Error(`Route ${route.method} ${route.path}: say how ${route.function} authenticates callers`);
      }
      let integration = integrations.get(route.function);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(
          `${functions[route.function].id}Integration`,
          this.functions[route.function].function,
          { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 },
        );
        integrations.set(route.function, integration);
      }
      const httpRoutes = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
      });
      for (const httpRoute of httpRoutes) Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    }

    // --- Outputs -----------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    for (const [queueName, { queue, dlq }] of entriesOf<QueueName, QueueWithDlq>(this.queues)) {
      new CfnOutput(this, `${pascalCase(queueName)}QueueUrl`, { value: queue.queueUrl });
      new CfnOutput(this, `${pascalCase(queueName)}DlqUrl`, { value: dlq.queueUrl });
    }
  }

  /**
   * Every function's schedules as EventBridge Scheduler schedules that send
   * the definition's message to its queue, with the expression and time zone
   * from CDK context when given (-c rescoreSchedule=...), checked here so a
   * bad one fails synthesis rather than the deployment.
   */
  private addSchedules(): Record<string, Schedule> {
    const created: Record<string, Schedule> = {};
    for (const def of Object.values<FunctionDefinition>(functions)) {
      for (const schedule of def.schedules ?? []) {
        const contextValue = (key: string): string | undefined => {
          const value: unknown = this.node.tryGetContext(key);
          return value === undefined ? undefined : String(value);
        };
        const resolved = resolveSchedule(
          schedule,
          {
            expression: contextValue(schedule.settings.expression.context),
            timeZone: contextValue(schedule.settings.timeZone.context),
          },
          'context',
        );
        const { queue, dlq } = this.queues[schedule.queue];
        created[schedule.id] = new Schedule(this, schedule.id, {
          description: schedule.description,
          schedule: ScheduleExpression.expression(resolved.expression, TimeZone.of(resolved.timeZone)),
          // Fire at the minute named, not somewhere in a window after it.
          timeWindow: TimeWindow.off(),
          // The target's role may send to this queue (and its DLQ) alone. A
          // delivery that still fails after an hour of retries goes to the
          // queue's own DLQ, whose depth alarm already tells someone.
          target: new SqsSendMessage(queue, {
            input: ScheduleTargetInput.fromObject(schedule.message),
            retryAttempts: 20,
            maxEventAge: Duration.hours(1),
            deadLetterQueue: dlq,
          }),
        });
      }
    }
    return created;
  }

  /** The rights a function's definition names, and no others. */
  private grantWiring(fn: LambdaFunction, def: FunctionDefinition, indexArns: string[], emailFrom: string | undefined): void {
    const access = tableActions[def.table];
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: access.items, resources: [this.table.tableArn] }));
    if (access.query) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [this.table.tableArn, ...indexArns] }),
      );
    }
    if (def.putsUnder?.length) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:PutItem'],
          resources: [this.table.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': def.putsUnder.map((prefix) => `${prefix}*`) },
          },
        }),
      );
    }
    const sendsTo = new Set<QueueName>([...def.sendsTo, ...def.redrives]);
    for (const queue of sendsTo) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queues[queue].queue.queueArn] }),
      );
    }
    for (const queue of def.redrives) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          resources: [this.queues[queue].dlq.queueArn],
        }),
      );
    }
    if (def.email) {
      // SendEmail is authorized on the identity that sends and on the
      // configuration set: the sender's address and its domain (whichever of
      // the two is the verified identity), and huitou's configuration set.
      const address = senderAddress(requireEmailFrom(emailFrom, def.id));
      const identity = (name: string): string =>
        this.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            identity(address),
            identity(address.slice(address.lastIndexOf('@') + 1)),
            this.formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: this.mailConfigurationSet.configurationSetName,
            }),
          ],
        }),
      );
    }
  }
}

/**
 * The `emailFrom` context value, required once a function sends mail: there is
 * no sensible default sender, and SES refuses any address it has not verified.
 */
function requireEmailFrom(emailFrom: string | undefined, functionName: string): string {
  if (emailFrom === undefined || emailFrom.trim() === '') {
    throw new Error(
      `${functionName} sends mail, so the stack needs a sender: cdk deploy -c emailFrom=shop@example.com ` +
        '(an address SES has verified, or one at a verified domain; see README "Email")',
    );
  }
  return emailFrom;
}
