/**
 * A request the API refuses, with the HTTP status and a stable machine code
 * the UI and scripts can branch on. The message is safe to show: it never
 * carries SQL, stack traces or secrets.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>): ApiError => new ApiError(400, code, message, details);
