/**
 * A Schema Registry REST error exactly as Confluent shapes it: an HTTP status and
 * a body `{error_code, message}`. Clients (Confluent's serializers, kafkajs'
 * registry client) branch on `error_code`, so the codes are a contract.
 */
export class RegistryHttpError extends Error {
  readonly status: number;
  readonly errorCode: number;

  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.name = 'RegistryHttpError';
    this.status = status;
    this.errorCode = errorCode;
  }

  toBody(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const subjectNotFound = (subject: string) => new RegistryHttpError(404, 40401, `Subject '${subject}' not found.`);
export const versionNotFound = (version: string | number) => new RegistryHttpError(404, 40402, `Version ${version} not found.`);
export const schemaNotFound = () => new RegistryHttpError(404, 40403, 'Schema not found');
export const subjectCompatibilityNotConfigured = (subject: string) =>
  new RegistryHttpError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);
export const incompatibleSchema = (detail: string) =>
  new RegistryHttpError(409, 409, `Schema being registered is incompatible with an earlier schema; ${detail}`);
export const invalidSchema = (detail: string) => new RegistryHttpError(422, 42201, `Invalid schema: ${detail}`);
export const invalidVersion = (version: string) =>
  new RegistryHttpError(422, 42202, `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`);
export const invalidCompatibilityLevel = (level: unknown) =>
  new RegistryHttpError(422, 42203, `Invalid compatibility level: ${String(level)}`);
export const malformedRequest = (detail: string) => new RegistryHttpError(400, 400, `Malformed request: ${detail}`);
export const routeNotFound = () => new RegistryHttpError(404, 404, 'HTTP 404 Not Found');
export const methodNotAllowed = () => new RegistryHttpError(405, 405, 'HTTP 405 Method Not Allowed');
export const bodyTooLarge = (limit: number) => new RegistryHttpError(413, 413, `Request body exceeds ${limit} bytes`);
export const backendStoreError = () => new RegistryHttpError(500, 50001, 'Error in the backend data store');
export const internalError = () => new RegistryHttpError(500, 50001, 'Internal server error');
