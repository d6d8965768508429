// The schedules of lib/resources.ts as EventBridge Scheduler schedules: what
// they send where, in which zone, with which rights, and how CDK context
// overrides them. Bundling is skipped (aws:cdk:bundling-stacks): the stack test
// bundles for real, and the schedules do not depend on the bundles.
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { HuitouStack } from '../../lib/huitou-stack';
import { functions, type FunctionDefinition, type ScheduleDefinition } from '../../lib/resources';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

const daily: ScheduleDefinition = functions.rescore.schedules[0];

function synth(context: Record<string, unknown> = {}): { stack: HuitouStack; template: Template; app: App } {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], emailFrom: 'shop@example.com', ...context } });
  const stack = new HuitouStack(app, 'Huitou');
  return { stack, template: Template.fromStack(stack), app };
}

function logicalId(stack: HuitouStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnResource);
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

describe('HuitouStack: schedules', () => {
  let stack: HuitouStack;
  let template: Template;
  let app: App;
  beforeAll(() => {
    ({ stack, template, app } = synth());
  });

  it('creates one schedule per definition', () => {
    const definitions = Object.values(functions).flatMap((definition: FunctionDefinition) => definition.schedules ?? []);
    expect(definitions.map((schedule) => schedule.id)).toEqual([daily.id, 'CampaignTick']);
    template.resourceCountIs('AWS::Scheduler::Schedule', definitions.length);
    expect(Object.keys(stack.schedules)).toEqual(definitions.map((schedule) => schedule.id));
  });

  it('sends the definition message to the rescore queue at its expression, in its zone, without a window', () => {
    const queue = stack.queues[daily.queue];
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId(stack, queue.queue), 'Arn'] },
        Input: JSON.stringify({ trigger: 'schedule' }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack, queue.dlq), 'Arn'] } },
      },
    });
  });

  it('gives its role sqs:SendMessage on the rescore queue and its DLQ, and nothing else', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as {
      Properties: { Target: { RoleArn: { 'Fn::GetAtt': [string, string] } } };
    };
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId] as {
      Properties: { AssumeRolePolicyDocument: { Statement: { Principal: unknown; Condition: unknown }[] }; ManagedPolicyArns?: unknown; Policies?: unknown };
    };
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        // Only schedules of this account's default group may use it.
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': expect.anything() } },
      }),
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();

    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as {
      Properties: { PolicyDocument: { Statement: Statement[] } };
    }[];
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const { queue, dlq } = stack.queues[daily.queue];
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: [
          { 'Fn::GetAtt': [logicalId(stack, queue), 'Arn'] },
          { 'Fn::GetAtt': [logicalId(stack, dlq), 'Arn'] },
        ],
      },
    ]);
  });

  it('passes the AwsSolutions checks', () => {
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(stack);
    const findings = report.violations
      .filter((v) => v.violatingResources.some((r) => /Schedul/.test(r.constructPath ?? '')))
      .map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});

describe('HuitouStack: schedule overrides through CDK context', () => {
  it('takes the expression and zone from -c rescoreSchedule and -c rescoreTimeZone', () => {
    const { template } = synth({ rescoreSchedule: 'cron(0 4 * * ? *)', rescoreTimeZone: 'Europe/Berlin' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 4 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });

  it('takes a rate expression', () => {
    const { template } = synth({ rescoreSchedule: 'rate(6 hours)' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      ScheduleExpressionTimezone: 'UTC',
    });
  });

  it('fails synthesis on a bad expression, naming the setting', () => {
    expect(() => synth({ rescoreSchedule: 'cron(0 4 * * *)' })).toThrow(
      'Schedule DailyRescore: expression "cron(0 4 * * *)" from CDK context rescoreSchedule (-c rescoreSchedule=...) is invalid: a cron expression has 6 fields, this one has 5',
    );
    expect(() => synth({ rescoreSchedule: 'cron(0 4 * * * *)' })).toThrow(/rescoreSchedule .* exactly one of day-of-month/);
  });

  it('fails synthesis on an unknown time zone, naming the setting', () => {
    expect(() => synth({ rescoreTimeZone: 'Europe/Paris-ish' })).toThrow(
      /^Schedule DailyRescore: time zone "Europe\/Paris-ish" from CDK context rescoreTimeZone \(-c rescoreTimeZone=\.\.\.\) is invalid/,
    );
  });
});
