// HTTP answers in API Gateway payload v2 shape, and the one mapping from
// errors to statuses. A fault a retry may clear becomes a 503 with
// Retry-After; any other unknown error a plain 500. Neither leaks anything.
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConflictError,
  ForbiddenError,
  isRetryableFault,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from './errors';
import { logger } from './observability';

export type HttpResult = APIGatewayProxyStructuredResultV2;

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export function httpError(statusCode: number, code: string, message: string): HttpResult {
  return json(statusCode, { error: { code, message } });
}

/** What a 503 asks the caller to wait: the AWS SDK has already retried with backoff by then. */
const retryAfterSeconds = 1;

export function errorToResponse(error: unknown): HttpResult {
  if (error instanceof ValidationError) {
    const detail = error.issues.length ? `: ${error.issues.join('; ')}` : '';
    return httpError(400, 'bad_request', `${error.message}${detail}`);
  }
  if (error instanceof UnauthorizedError) return httpError(401, 'unauthorized', error.message);
  if (error instanceof ForbiddenError) return httpError(403, 'forbidden', error.message);
  if (error instanceof NotFoundError) return httpError(404, 'not_found', error.message);
  if (error instanceof ConflictError) return httpError(409, 'conflict', error.message);
  if (isRetryableFault(error)) {
    logger.warn('answered 503: a service we depend on failed; the caller may retry', { error: error as Error });
    const busy = httpError(503, 'unavailable', 'a service huitou depends on is busy or failed; try again shortly');
    return { ...busy, headers: { ...busy.headers, 'retry-after': String(retryAfterSeconds) } };
  }
  logger.error('unhandled error', { error: error as Error });
  return httpError(500, 'internal', 'internal error');
}

/** middy middleware: every thrown error leaves as a JSON error with the right status. */
export function httpErrors(): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    onError: async function mapErrorToResponse(request) {
      request.response = errorToResponse(request.error);
    },
  };
}

/** The raw body bytes, whether API Gateway passed them as text or base64. */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}
