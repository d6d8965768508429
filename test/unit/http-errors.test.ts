// The one mapping from errors to HTTP statuses: what a caller may retry is a
// 503 with Retry-After, any other unknown error a 500, and neither says more
// than its code.
import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  CouponUnavailableError,
  isRetryableFault,
  NotFoundError,
  TransientError,
  ValidationError,
} from '../../functions/shared/errors';
import { errorToResponse } from '../../functions/shared/http';

const lockTimeout = () =>
  new InternalServerError({
    message: 'This action timed out because it too long waiting for a lock. This request will succeed in actual DynamoDB API',
    $metadata: { httpStatusCode: 500 },
  });

const socketError = (code: string) => Object.assign(new Error('socket hang up'), { code });

describe('isRetryableFault', () => {
  it.each([
    ['a DynamoDB server error (DynamoDB Local lock timeout)', lockTimeout()],
    ['throttling after the SDK gave up', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['our TransientError', new TransientError('store down')],
    ['a subclass of it', new CouponUnavailableError('rate limited')],
    ['a reset connection', socketError('ECONNRESET')],
    ['a refused connection', socketError('ECONNREFUSED')],
    ['an error the SDK marked retryable', Object.assign(new Error('x'), { $retryable: {} })],
  ])('says yes to %s', (_label, error) => {
    expect(isRetryableFault(error)).toBe(true);
  });

  it.each([
    ['a failed condition (a client fault)', new ConditionalCheckFailedException({ message: 'no', $metadata: {} })],
    ['a plain Error', new Error('bug')],
    ['an error with another code', socketError('ENOENT')],
    ['a string', 'ECONNRESET'],
    ['null', null],
    ['undefined', undefined],
  ])('says no to %s', (_label, error) => {
    expect(isRetryableFault(error)).toBe(false);
  });
});

describe('errorToResponse', () => {
  const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? '') as { error: { code: string; message: string } };

  it('answers 503 with Retry-After to a fault a retry may clear, without the fault text', () => {
    const result = errorToResponse(lockTimeout());

    expect(result.statusCode).toBe(503);
    expect(result.headers).toEqual({ 'content-type': 'application/json', 'retry-after': '1' });
    expect(bodyOf(result).error.code).toBe('unavailable');
    expect(result.body).not.toContain('lock');
  });

  it('answers 500 to anything else unknown, and says nothing of it', () => {
    const result = errorToResponse(new ConditionalCheckFailedException({ message: 'secret detail', $metadata: {} }));

    expect(result.statusCode).toBe(500);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(bodyOf(result)).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });

  it.each([
    [new ValidationError('bad input', ['a: required']), 400, 'bad_request', 'bad input: a: required'],
    [new NotFoundError('no such job'), 404, 'not_found', 'no such job'],
    [new ConflictError('changed meanwhile'), 409, 'conflict', 'changed meanwhile'],
  ])('keeps the statuses of our own errors (%s)', (error, status, code, message) => {
    const result = errorToResponse(error);

    expect(result.statusCode).toBe(status);
    expect(bodyOf(result)).toEqual({ error: { code, message } });
  });
});
