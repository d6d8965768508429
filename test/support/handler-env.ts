// The environment a handler module reads at import: exactly what its function's
// definition gives it (lib/resources.ts), as both stacks set it, and nothing of
// another function's. Call it before importing the handler.
import { envNames, functionEnvironment, type FunctionName, type ResourceLocations } from '../../lib/resources';

export const testTableName = 'huitou-test';

/** Where a handler under test finds its resources (no request reaches them: the SDK clients are mocked). */
export const testLocations: ResourceLocations = {
  tableName: testTableName,
  queueUrl: (queue) => `https://sqs.us-east-1.amazonaws.com/123456789012/huitou-${queue}`,
  dlqUrl: (queue) => `https://sqs.us-east-1.amazonaws.com/123456789012/huitou-${queue}-dlq`,
  email: () => ({ from: 'Shop <shop@example.com>', configurationSet: 'huitou-test' }),
  publicUrl: () => 'https://api.example.com',
};

export function setFunctionEnv(name: FunctionName): Record<string, string> {
  for (const key of Object.keys(process.env)) {
    if (key === envNames.table || /_(QUEUE|DLQ)_URL$/.test(key) || key.startsWith('HUITOU_')) delete process.env[key];
  }
  const env = functionEnvironment(name, testLocations);
  Object.assign(process.env, env, {
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  return env;
}
