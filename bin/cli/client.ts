import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, ConnectionError, UsageError } from './errors';

export type Query = Record<string, string | number | undefined>;

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export interface ApiClientOptions {
  apiUrl: string;
  apiKey: string;
  timeoutMs?: number;
  /** Said when nothing answers at apiUrl, instead of the generic advice. */
  unreachableHint?: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Statuses that say "busy, ask again" (a DynamoDB lock timeout or throttling answers 503). */
const busyStatuses = new Set([502, 503, 504]);
/** A GET that keeps answering busy is given up after this many tries. */
const maxReadAttempts = 5;

/** Retry-After in seconds as the API sent it, kept between 0 and 10 s; 1 s without one. */
function retryDelayMs(retryAfter: string | null): number {
  const seconds = retryAfter === null || retryAfter.trim() === '' ? Number.NaN : Number(retryAfter);
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), 10) * 1000 : 1000;
}

/** A thin client of the admin API. Every request carries the bearer key and a JSON content type. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #unreachableHint: string;

  constructor(options: ApiClientOptions) {
    try {
      const url = new URL(options.apiUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new UsageError(`invalid API URL: ${options.apiUrl} (expected http:// or https://)`);
    }
    // Keep a path prefix such as an API Gateway stage (`https://…/prod`), drop trailing slashes.
    this.baseUrl = options.apiUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#unreachableHint =
      options.unreachableHint ??
      'Is the local stack running? Start it with `npm start`, or point the CLI elsewhere with --api-url or HUITOU_API_URL.';
  }

  get<T>(path: string, query?: Query): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body });
  }

  patch<T>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, { body });
  }

  delete<T>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, {});
  }

  async request<T>(
    method: string,
    path: string,
    { query, body }: { query?: Query | undefined; body?: unknown },
  ): Promise<ApiResponse<T>> {
    const url = this.baseUrl + path + toQueryString(query);
    let response: Response;
    let text: string;
    for (let attempt = 1; ; attempt += 1) {
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${this.#apiKey}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        throw connectionError(this.baseUrl, error, this.#timeoutMs, this.#unreachableHint);
      }
      text = await response.text();
      // A read is safe to repeat; a write is not ours to repeat (the caller knows whether it is idempotent).
      if (method !== 'GET' || !busyStatuses.has(response.status) || attempt >= maxReadAttempts) break;
      await sleep(retryDelayMs(response.headers.get('retry-after')));
    }

    const parsed = parseJson(text);
    if (!response.ok) {
      const apiError = readApiError(parsed);
      throw new ApiError(
        response.status,
        apiError?.code ?? 'http_error',
        apiError?.message ?? (response.statusText || `HTTP ${response.status}`),
      );
    }
    if (text !== '' && parsed === undefined) {
      throw new ApiError(response.status, 'invalid_response', `the API at ${this.baseUrl} did not answer with JSON`);
    }
    return { status: response.status, body: parsed as T };
  }
}

/** `/admin/customers/{id}` with each dynamic part escaped. */
export function apiPath(strings: TemplateStringsArray, ...parts: string[]): string {
  return strings.reduce((path, s, i) => path + s + (i < parts.length ? encodeURIComponent(parts[i] as string) : ''), '');
}

function toQueryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readApiError(body: unknown): { code?: string; message?: string } | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const error = (body as { error?: unknown }).error;
  if (!error || typeof error !== 'object') return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

function connectionError(baseUrl: string, error: unknown, timeoutMs: number, hint: string): ConnectionError {
  const err = error as { name?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new ConnectionError(baseUrl, `no answer from the huitou API at ${baseUrl} within ${timeoutMs / 1000} s`, {
      cause: error,
    });
  }
  const reason = err?.cause?.code ?? err?.cause?.message ?? (error as Error)?.message ?? String(error);
  return new ConnectionError(
    baseUrl,
    `cannot reach the huitou API at ${baseUrl} (${reason}). ${hint}`,
    { cause: error },
  );
}
