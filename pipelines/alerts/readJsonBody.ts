import type { IncomingMessage } from 'node:http';
import { ApiError } from './apiError.ts';

/** Case bodies are a few hundred bytes; 16 KiB leaves room for long notes and nothing else. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON object body. Throws ApiError 415 for another content type,
 * 413 as soon as the declared or received size passes `limit` (the rest is
 * not buffered), 400 for malformed JSON or a non-object.
 */
export async function readJsonBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new ApiError(413, 'BODY_TOO_LARGE', `request body over ${limit} bytes`, { limit });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'BODY_TOO_LARGE', `request body over ${limit} bytes`, { limit });
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new ApiError(400, 'INVALID_JSON', `body is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, 'INVALID_BODY', 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}
