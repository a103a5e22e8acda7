import { spawn, type ChildProcess } from 'node:child_process';
import { InfrastructureError } from '../runtime/errors.ts';
import type { Logger } from '../runtime/log.ts';

/**
 * librdkafka's in-memory mock cluster, hosted by Debian's `kcat` as a child
 * process. kcat prints the mock's bootstrap servers on stderr when it is up
 * (librdkafka's notice "Mock cluster enabled: … replaced with <servers>").
 * No `-d mock`: its debug log (~25 B per produced event) goes through a pipe
 * this process must keep draining, and a main thread busy for seconds (the
 * bench generating a large scenario) let the pipe fill, which froze every
 * mock broker until the consumers' requests timed out.
 * The mock keeps only the newest 5 MiB per partition and has no
 * createTopics/transactions; nothing else in yunlian depends on those limits.
 */
export interface MockKafkaCluster {
  brokers: string[];
  /** The kcat process hosting it. */
  pid: number | undefined;
  /** Stops the child process; the cluster's data is gone with it. */
  stop(): Promise<void>;
}

export interface MockKafkaOptions {
  brokers?: number;
  kcatPath?: string;
  startTimeoutMs?: number;
  logger?: Logger;
}

/** kcat's arguments for a mock cluster of `brokers` brokers (a consumer of an unused topic keeps it alive). */
export function mockClusterArgs(brokers: number): string[] {
  return ['-C', '-b', '127.0.0.1:1', '-X', `test.mock.num.brokers=${brokers}`, '-t', '__mock', '-o', 'end', '-q'];
}

/** The bootstrap servers librdkafka announces on kcat's stderr, or null until it has. */
export function announcedBrokers(stderr: string): string[] | null {
  const match = /Mock cluster enabled: .* replaced with (\S+)/.exec(stderr);
  return match ? match[1]!.split(',') : null;
}

export async function startMockKafkaCluster(opts: MockKafkaOptions = {}): Promise<MockKafkaCluster> {
  const kcat = opts.kcatPath ?? 'kcat';
  const child = spawn(kcat, mockClusterArgs(opts.brokers ?? 3), { stdio: ['ignore', 'ignore', 'pipe'] });
  const brokers = await waitForBootstrap(child, opts.startTimeoutMs ?? 15_000, kcat);
  opts.logger?.info('mock kafka cluster started', { brokers, pid: child.pid });
  // Keep draining stderr (librdkafka's rare warnings) so the child never blocks on a full pipe.
  child.stderr?.resume();
  // The cluster dies with this process even when it ends without stop(): an uncaught error, process.exit, a
  // closed stdout (EPIPE) would otherwise leave kcat running, holding its ports and memory, until killed by hand.
  const killWithUs = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killWithUs);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    process.off('exit', killWithUs);
  });
  return {
    brokers,
    pid: child.pid,
    stop: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}

function waitForBootstrap(child: ChildProcess, timeoutMs: number, kcat: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const fail = (message: string, cause?: unknown) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new InfrastructureError(message, { code: 'KAFKA_MOCK_START_FAILED', cause }));
    };
    const timer = setTimeout(() => fail(`kcat did not report a mock cluster within ${timeoutMs} ms: ${stderr.slice(-500)}`), timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? `'${kcat}' not found: install it with 'apt-get install -y kcat' (README: Setup)`
          : `could not start ${kcat}: ${error.message}`,
        error,
      ),
    );
    child.once('exit', (code) => fail(`kcat exited with code ${code} before the mock cluster was up: ${stderr.slice(-500)}`));
    child.stderr?.setEncoding('utf8');
    const onData = (chunk: string) => {
      stderr += chunk;
      const brokers = announcedBrokers(stderr);
      if (!brokers) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.removeAllListeners('exit');
      resolve(brokers);
    };
    child.stderr?.on('data', onData);
  });
}
