import { describe, expect, it } from 'vitest';
import { ConfigError, definitionConfig, functionConfig } from '../../functions/shared/config';
import { definitionEnvironment, envNames, functionEnvironment, functions, type FunctionName } from '../../lib/resources';

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

describe('definitionConfig: mail and links', () => {
  const mailing = { ...functions.sesFeedback, email: true, publicUrl: true } as const;

  it('gives a function that mails its sender, configuration set and public URL (without a trailing slash)', () => {
    const config = definitionConfig('probe', mailing, definitionEnvironment(mailing, where));
    expect(config.email).toEqual({ from: 'Shop <shop@example.com>', configurationSet: 'huitou-mail' });
    expect(config.publicUrl).toBe('https://api.example.com');
  });

  it('gives a function that does not mail neither', () => {
    const config = functionConfig('sesFeedback', functionEnvironment('sesFeedback', where));
    expect(config.email).toBeUndefined();
    expect(config.publicUrl).toBeUndefined();
  });

  it.each([envNames.emailFrom, envNames.sesConfigurationSet, envNames.publicUrl])('fails the cold start without %s, naming it', (name) => {
    const env = definitionEnvironment(mailing, where);
    delete env[name];
    expect(() => definitionConfig('probe', mailing, env)).toThrow(new RegExp(name));
  });

  it('refuses a sender that is no address, a configuration set SES would refuse and a public URL that is not http(s)', () => {
    const env = definitionEnvironment(mailing, where);
    expect(() => definitionConfig('probe', mailing, { ...env, [envNames.emailFrom]: 'shop' })).toThrow(/HUITOU_EMAIL_FROM/);
    expect(() => definitionConfig('probe', mailing, { ...env, [envNames.emailFrom]: 'Shop <shop>' })).toThrow(/HUITOU_EMAIL_FROM/);
    expect(definitionConfig('probe', mailing, { ...env, [envNames.emailFrom]: 'shop@example.com' }).email).toMatchObject({ from: 'shop@example.com' });
    expect(() => definitionConfig('probe', mailing, { ...env, [envNames.sesConfigurationSet]: 'has space' })).toThrow(
      /HUITOU_SES_CONFIGURATION_SET/,
    );
    expect(() => definitionConfig('probe', mailing, { ...env, [envNames.publicUrl]: 'ftp://api.example.com' })).toThrow(/HUITOU_PUBLIC_URL/);
  });
});
