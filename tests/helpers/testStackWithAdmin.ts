import { afterAll, beforeAll } from 'vitest';
import type { Admin } from 'kafkajs';
import type { PipelineName } from '../../src/kafka/topics.ts';
import { startTestStack, type TestStack } from './embeddedStack.ts';

/** The test file's stack and an admin client connected to its Kafka, for reading offsets, lags and topic ends. */
export interface TestStackWithAdmin {
  readonly stack: TestStack;
  readonly admin: Admin;
}

/**
 * Starts a test stack running `pipelines` and connects an admin client to it before the file's tests, and
 * disconnects and tears both down after them (also after a start that failed halfway). Call it at the top level
 * of a test file; read the fields in hooks and tests, where they are set (earlier they throw rather than hand out
 * undefined).
 */
export function useTestStackWithAdmin(pipelines: readonly PipelineName[]): TestStackWithAdmin {
  let stack: TestStack | undefined;
  let admin: Admin | undefined;
  beforeAll(async () => {
    stack = await startTestStack(pipelines);
    admin = stack.services.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await stack?.teardown();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet: read it in a hook or test of the file`);
    return value;
  };
  return {
    get stack() {
      return started(stack, 'the test stack');
    },
    get admin() {
      return started(admin, 'the admin client');
    },
  };
}
