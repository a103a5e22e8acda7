import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../runtime/errors.ts';
import { parseClosures, type RegionalClosure } from './regionalClosure.ts';

/** The shipped closures (the 2020 Spring Festival extension and zone shutdown), found relative to this module so any working directory works. */
export const DEFAULT_CLOSURES_PATH: string = fileURLToPath(new URL('../../config/closures.json', import.meta.url));

/**
 * Reads and validates a closures file (`{ "closures": [ … ] }`, see
 * RegionalClosure). Synchronous: it runs once at start-up, before any pipeline.
 * Throws ConfigError when the file is missing, is not JSON, or has a bad entry
 * (the message names the entry's index and content).
 */
export function loadClosures(path: string = DEFAULT_CLOSURES_PATH): RegionalClosure[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`closures file ${path} cannot be read: ${(error as Error).message}`, {
      code: 'CLOSURES_UNREADABLE',
      context: { origin: path },
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`closures file ${path} is not valid JSON: ${(error as Error).message}`, {
      code: 'CLOSURES_INVALID',
      context: { origin: path },
    });
  }
  return parseClosures(raw, path);
}
