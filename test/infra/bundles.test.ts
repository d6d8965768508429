// What deploys, started as Lambda would start it: synthesize the stack, take
// each function's bundle from the cloud assembly and its environment from the
// template (nothing else of huitou's), load it in an execution environment of
// its own and invoke it once with a minimal event of its kind. A function that
// needs a variable its definition does not give fails its cold start here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HuitouStack } from '../../lib/huitou-stack';
import { functions, queues, type FunctionName, type RouteDefinition } from '../../lib/resources';
import { createLocalFunction, lambdaRuntimeEnvironment, type LocalFunction } from '../../bin/local/lambda';
import { httpEvent, sqsEvent } from '../support/events';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };

const region = 'us-east-1';
// Any AWS call a minimal event should not make fails at once instead of leaving the machine.
const unreachable = 'http://127.0.0.1:9';

/** Stand-ins for what CloudFormation resolves at deploy time; anything else in an env value is a test failure. */
function resolveValue(value: unknown, template: Template): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  const resource = ref === undefined ? undefined : template.Resources[ref];
  if (resource?.Type === 'AWS::DynamoDB::Table') return `huitou-${ref}`;
  if (resource?.Type === 'AWS::SQS::Queue') return `https://sqs.${region}.amazonaws.com/123456789012/${ref}`;
  if (resource?.Type === 'AWS::SES::ConfigurationSet') return `huitou-${ref}`;
  // The HTTP API's endpoint, https://<api id>.execute-api.<region>.<suffix>.
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt?.[1] === 'ApiEndpoint' && template.Resources[getAtt[0]]?.Type === 'AWS::ApiGatewayV2::Api') {
    return `https://api.execute-api.${region}.amazonaws.com`;
  }
  throw new Error(`an env value the test cannot stand in for: ${JSON.stringify(value)}`);
}

function minimalEvent(name: FunctionName): { event: APIGatewayProxyEventV2 | SQSEvent; kind: 'http' | 'sqs' } {
  const [route]: readonly RouteDefinition[] = functions[name].routes;
  if (route) {
    const method = route.method === 'ANY' ? 'GET' : route.method;
    const pathParameters: Record<string, string> = {};
    const eventPath = route.path.replace(/\{([^}+]+)\+?\}/g, (_, param: string) => {
      pathParameters[param] = 'unknown';
      return 'unknown';
    });
    return { kind: 'http', event: httpEvent({ method, path: eventPath, routeKey: `${route.method} ${route.path}`, pathParameters }) };
  }
  if (Object.values(queues).some((queue) => queue.consumer === name)) {
    return { kind: 'sqs', event: sqsEvent(['{}']) };
  }
  throw new Error(`no minimal event known for ${name}: add one for its kind`);
}

const started: LocalFunction[] = [];
let template: Template;
let assemblyDir: string;

beforeAll(() => {
  const app = new App({ context: { ...cdkJson.context, emailFrom: 'Shop <shop@example.com>' } });
  const stack = new HuitouStack(app, 'Huitou');
  const assembly = app.synth();
  template = assembly.getStackByName(stack.stackName).template as Template;
  assemblyDir = assembly.directory;
}, 240_000);

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
});

describe('deployed bundles', () => {
  it.each(Object.keys(functions) as FunctionName[])(
    'starts the %s bundle with exactly its template env and answers a minimal event',
    async (name) => {
      const definition = functions[name];
      const [logicalId, resource] = Object.entries(template.Resources).find(
        ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties['Description'] === definition.description,
      ) ?? [undefined, undefined];
      expect(resource, `no function ${name} in the template`).toBeDefined();
      const properties = (resource as Resource).Properties;
      const code = properties['Code'] as { S3Key: string };
      const bundle = path.join(assemblyDir, `asset.${code.S3Key.replace(/\.zip$/, '')}`, 'index.js');
      const variables = (properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      const env = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, resolveValue(value, template)]));

      const functionName = `Huitou-${logicalId}`;
      const fn = createLocalFunction({
        name,
        functionName,
        definition,
        region,
        bundle,
        env: {
          ...lambdaRuntimeEnvironment({ functionName, definition, region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
          AWS_ENDPOINT_URL: unreachable,
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          POWERTOOLS_METRICS_DISABLED: 'true',
          ...env,
        },
      });
      started.push(fn);
      await fn.ready;

      const { event, kind } = minimalEvent(name);
      if (kind === 'http') {
        const answer = (await fn.invoke(event)) as Record<string, unknown>;
        expect(answer['statusCode']).toBeGreaterThanOrEqual(400);
        expect(answer['statusCode']).toBeLessThan(500);
        // The API answers JSON errors; public pages (unsubscribe) answer HTML.
        const contentType = String((answer['headers'] as Record<string, string>)['content-type']);
        if (contentType.startsWith('text/html')) expect(String(answer['body'])).toContain('<html');
        else expect(JSON.parse(String(answer['body']))).toHaveProperty('error.code');
      } else {
        // The record is not a delivery, so the handler ran and failed the whole
        // batch (Powertools throws then, and SQS retries every record).
        await expect(fn.invoke(event)).rejects.toMatchObject({ name: 'FullBatchFailureError' });
      }
    },
    60_000,
  );
});
