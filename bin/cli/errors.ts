/** A mistake in how the CLI was called: exit code 2, with the usage line. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** The CLI cannot tell which API to use or which key to send: exit code 2, with what to run or set. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The API answered with a non-2xx status: exit code 1. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API could not be reached at all (refused, DNS, timeout): exit code 1. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Anything else the CLI refuses to go on with (for example an unknown email): exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}
