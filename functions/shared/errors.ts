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
