// Event and context factories for handler tests: one place, API Gateway v2 and SQS shapes.
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';

export function httpEvent(input: {
  method: string;
  path: string;
  routeKey?: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: Buffer | string;
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  const raw = input.body === undefined ? undefined : Buffer.from(input.body);
  return {
    version: '2.0',
    routeKey: input.routeKey ?? `${input.method} ${input.path}`,
    rawPath: input.path,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers: { host: 'api.example.com', 'x-forwarded-proto': 'https', ...(input.headers ?? {}) },
    queryStringParameters: input.query,
    pathParameters: input.pathParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: input.method, path: input.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: input.routeKey ?? `${input.method} ${input.path}`,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    body: raw === undefined ? undefined : input.base64 ? raw.toString('base64') : raw.toString('utf8'),
    isBase64Encoded: input.base64 ?? false,
  };
}

export function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `rh${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:huitou-ingest',
      awsRegion: 'us-east-1',
    })),
  };
}

export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '512',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;
