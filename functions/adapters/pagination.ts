// Opaque cursors over DynamoDB's LastEvaluatedKey.
import { ValidationError } from '../shared/errors';

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('cursor is not one this API returned');
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
