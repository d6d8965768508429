import { describe, expect, it } from 'vitest';
import { ConfigError, functionConfig } from '../../functions/shared/config';
import { envNames, functionEnvironment, functions, type FunctionName } from '../../lib/resources';

const where = {
  tableName: 'huitou-table',
  queueUrl: (queue: string) => `https://sqs.us-east-1.amazonaws.com/1/${queue}`,
  dlqUrl: (queue: string) => `https://sqs.us-east-1.amazonaws.com/1/${queue}-dlq`,
  email: () => ({ from: 'Shop <shop@example.com>', configurationSet: 'huitou-mail' }),
  publicUrl: () => 'https://api.example.com/',
};

describe('functionConfig', () => {
  it.each(Object.keys(functions) as FunctionName[])('parses what functionEnvironment gives the %s function', (name) => {
    const config = functionConfig(name, functionEnvironment(name, where));
    expect(config.tableName).toBe('huitou-table');
    for (const queue of functions[name].sendsTo) expect(config.queueUrls).toHaveProperty(queue, where.queueUrl(queue));
  });

  it('starts the rescore with the table name and the scoring queue alone, and refuses it without the queue', () => {
    const env = { [envNames.table]: 'huitou-table', [envNames.queueUrl('scoring')]: where.queueUrl('scoring') };
    expect(functionConfig('rescore', env)).toEqual({
      tableName: 'huitou-table',
      queueUrls: { scoring: where.queueUrl('scoring') },
      dlqUrls: {},
    });
    expect(() => functionConfig('rescore', { [envNames.table]: 'huitou-table' })).toThrow(/SCORING_QUEUE_URL/);
  });

  it('fails a function whose queue URL is missing, naming the variable', () => {
    const env = functionEnvironment('webhook', where);
    delete env[envNames.queueUrl('ingest')];
    expect(() => functionConfig('webhook', env)).toThrow(ConfigError);
    expect(() => functionConfig('webhook', env)).toThrow(/INGEST_QUEUE_URL/);
  });

  it('rejects a queue URL that is not a URL and an empty table name', () => {
    expect(() => functionConfig('webhook', { ...functionEnvironment('webhook', where), INGEST_QUEUE_URL: 'queue' })).toThrow(
      /INGEST_QUEUE_URL/,
    );
    expect(() => functionConfig('processor', { [envNames.table]: '' })).toThrow(/TABLE_NAME/);
  });
});

describe('functionEnvironment', () => {
  it('gives a function the URLs of the queues it sends to and of no other', () => {
    expect(Object.keys(functionEnvironment('processor', where)).filter((key) => key.endsWith('_URL'))).toEqual(['CUSTOMEREVENTS_QUEUE_URL']);
    expect(Object.keys(functionEnvironment('scorer', where)).filter((key) => key.endsWith('_URL')).sort()).toEqual([
      'CUSTOMEREVENTS_QUEUE_URL',
      'SCORING_QUEUE_URL',
    ]);
    expect(functionEnvironment('webhook', where)).toMatchObject({ INGEST_QUEUE_URL: where.queueUrl('ingest') });
  });
});
