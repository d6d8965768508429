// Errors that cross a boundary. Each sets `name` and keeps `{ cause }`, so a
// log line says what failed and why. HTTP handlers map them to statuses.

export class HuitouError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that can never succeed as sent: answer 400 and keep nothing. */
export class ValidationError extends HuitouError {
  constructor(
    message: string,
    readonly issues: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotFoundError extends HuitouError {}

export class UnauthorizedError extends HuitouError {}

export class ForbiddenError extends HuitouError {}

/** Lost an optimistic-concurrency race; the caller retries with fresh state. */
export class ConflictError extends HuitouError {}

/** A marketplace API or AWS service failed in a way a retry may fix. */
export class TransientError extends HuitouError {}

/** Throttling names the AWS SDK still throws after its own retries (they carry no server fault). */
const throttlingNames = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);
const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/**
 * Whether the same request may succeed if sent again: our TransientError, or
 * an AWS service that failed on its side (a 5xx, throttling, a dropped
 * connection). Duck-typed on the SDK's `$fault`/`$retryable` so no client package is needed here.
 */
export function isRetryableFault(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { $fault, $retryable, name, code } = error as { $fault?: unknown; $retryable?: unknown; name?: unknown; code?: unknown };
  return (
    $fault === 'server' ||
    $retryable !== undefined ||
    (typeof name === 'string' && throttlingNames.has(name)) ||
    (typeof code === 'string' && networkCodes.has(code))
  );
}

/** A store API answered, but not with the resource: staff must act (token, scope, deleted order, URL). */
export class StoreRefusedError extends HuitouError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The store refused to create a coupon and will refuse it again as asked
 * (credentials, scope, validation): the sender records it and drops the send.
 */
export class CouponRejectedError extends StoreRefusedError {}

/** The store could not create a coupon now (rate limit, outage, network, timeout): SQS retries the send. */
export class CouponUnavailableError extends TransientError {}
