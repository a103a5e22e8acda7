import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WORKER_YOUNG_GENERATION_MB, loadConfig, runtimeFilePath, type Env } from '../../src/runtime/config.ts';
import { ConfigError } from '../../src/runtime/errors.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An empty data dir, so no runtime file of a live `yunlian up` leaks into the test. */
function env(vars: Env = {}): Env {
  const dir = mkdtempSync(path.join(tmpdir(), 'yunlian-config-'));
  dirs.push(dir);
  return { YUNLIAN_DATA_DIR: dir, ...vars };
}

function configError(vars: Env): ConfigError {
  try {
    loadConfig(env(vars));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('configuration errors name the variable and what a good value looks like', () => {
  it('a broker without a port', () => {
    expect(configError({ KAFKA_BROKERS: 'kafka-1:9092,kafka-2' }).message).toBe("KAFKA_BROKERS: 'kafka-2' is not host:port (expected e.g. kafka-1:9092,kafka-2:9092)");
  });

  it('a list of only commas', () => {
    expect(configError({ KAFKA_BROKERS: ' , ' }).message).toBe('KAFKA_BROKERS is empty');
  });

  it('a port out of range or not a number', () => {
    expect(configError({ YUNLIAN_HTTP_PORT: '80800' }).message).toBe("YUNLIAN_HTTP_PORT must be a TCP port (0-65535), got '80800'");
    expect(configError({ YUNLIAN_CLICKHOUSE_PORT: 'http' }).message).toContain('YUNLIAN_CLICKHOUSE_PORT');
  });

  it('an API token too short to resist guessing', () => {
    expect(configError({ YUNLIAN_API_TOKEN: 'secret' }).message).toMatch(/^YUNLIAN_API_TOKEN must be at least 16 characters/);
    expect(configError({ YUNLIAN_API_READONLY_TOKEN: 'short' }).message).toMatch(/^YUNLIAN_API_READONLY_TOKEN/);
  });

  it('SASL without credentials, or an unknown mechanism', () => {
    expect(configError({ KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }).message).toContain('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required');
    expect(configError({ KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'gssapi' }).message).toBe("KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got 'gssapi'");
  });

  it('a URL that is not http(s), without echoing the password it carries', () => {
    const error = configError({ SCHEMA_REGISTRY_URL: 'ftp://reader:hunter2-secret@registry:8081' });
    expect(error.message).toContain('SCHEMA_REGISTRY_URL must be an http(s) URL');
    expect(error.message).not.toContain('hunter2');
    expect(configError({ CLICKHOUSE_URL: 'not a url' }).message).toContain('CLICKHOUSE_URL');
  });

  it('a worker young generation that is not whole MiB', () => {
    expect(configError({ YUNLIAN_WORKER_YOUNG_GENERATION_MB: '96.5' }).message).toBe("YUNLIAN_WORKER_YOUNG_GENERATION_MB must be whole MiB from 0 (V8's default) to 4096, got '96.5'");
    expect(configError({ YUNLIAN_WORKER_YOUNG_GENERATION_MB: '-1' }).message).toContain('YUNLIAN_WORKER_YOUNG_GENERATION_MB');
  });

  it('a detect thread count that is not a whole number from 1 to 8', () => {
    expect(configError({ YUNLIAN_DETECT_THREADS: '9' }).message).toBe("YUNLIAN_DETECT_THREADS must be a whole number of threads from 1 to 8, got '9'");
    expect(configError({ YUNLIAN_DETECT_THREADS: '0' }).message).toContain('YUNLIAN_DETECT_THREADS');
    expect(configError({ YUNLIAN_DETECT_THREADS: 'two' }).message).toContain('YUNLIAN_DETECT_THREADS');
  });

  it('a detect snapshot store other than clickhouse or files', () => {
    expect(configError({ YUNLIAN_DETECT_SNAPSHOTS: 'disk' }).message).toBe("YUNLIAN_DETECT_SNAPSHOTS must be clickhouse or files, got 'disk'");
  });

  it('a corrupt runtime file of `yunlian up`, with the way out', () => {
    const vars = env();
    writeFileSync(runtimeFilePath(vars.YUNLIAN_DATA_DIR!), '{"pid": 1,');
    expect(() => loadConfig(vars)).toThrow(/is not valid JSON; delete it if no 'yunlian up' is running/);
  });
});

describe('a good configuration', () => {
  it('reads TLS, SASL and ClickHouse credentials from the environment', () => {
    const config = loadConfig(
      env({
        KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'yunlian',
        KAFKA_SASL_PASSWORD: 'pw',
        SCHEMA_REGISTRY_URL: 'https://registry:8081/',
        CLICKHOUSE_URL: 'https://clickhouse:8443',
        CLICKHOUSE_USER: 'writer',
        CLICKHOUSE_PASSWORD: 'pw2',
      }),
    );
    expect(config.kafka).toEqual({ brokers: ['kafka-1:9092', 'kafka-2:9092'], clientId: 'yunlian', ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'yunlian', password: 'pw' } });
    expect(config.schemaRegistryUrl).toBe('https://registry:8081');
    expect(config.clickhouse).toEqual({ kind: 'http', url: 'https://clickhouse:8443', username: 'writer', password: 'pw2' });
  });

  it('without services configured falls back to the embedded ClickHouse in the data dir', () => {
    const vars = env();
    const config = loadConfig(vars);
    expect(config.kafka).toBeNull();
    expect(config.clickhouse).toEqual({ kind: 'embedded', path: path.join(vars.YUNLIAN_DATA_DIR!, 'clickhouse') });
    expect(config.httpPort).toBe(8080);
  });

  it('sizes the worker threads\' young generation from the environment, with a measured default', () => {
    expect(loadConfig(env()).workerYoungGenerationMb).toBe(DEFAULT_WORKER_YOUNG_GENERATION_MB);
    expect(loadConfig(env({ YUNLIAN_WORKER_YOUNG_GENERATION_MB: '384' })).workerYoungGenerationMb).toBe(384);
    expect(loadConfig(env({ YUNLIAN_WORKER_YOUNG_GENERATION_MB: '0' })).workerYoungGenerationMb).toBe(0);
  });

  it('reads the detect thread count from the environment, leaving the default to the pipeline threads mode when unset', () => {
    expect(loadConfig(env()).detectThreads).toBeNull();
    expect(loadConfig(env({ YUNLIAN_DETECT_THREADS: '' })).detectThreads).toBeNull();
    expect(loadConfig(env({ YUNLIAN_DETECT_THREADS: '3' })).detectThreads).toBe(3);
  });

  it('reads the detect snapshot store from the environment, leaving the default to the mode when unset', () => {
    expect(loadConfig(env()).detectSnapshots).toBeNull();
    expect(loadConfig(env({ YUNLIAN_DETECT_SNAPSHOTS: 'files' })).detectSnapshots).toBe('files');
    expect(loadConfig(env({ YUNLIAN_DETECT_SNAPSHOTS: 'clickhouse' })).detectSnapshots).toBe('clickhouse');
  });
});
