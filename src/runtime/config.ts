import { existsSync, readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.ts';

/**
 * Configuration comes from the environment (DESIGN.md section 7), falling back
 * to the runtime file a running `yunlian up` writes into YUNLIAN_DATA_DIR, so
 * `yunlian produce` and `yunlian sql` find the embedded system without flags.
 */
export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | null;
}

export type ClickHouseConfig =
  | { kind: 'embedded'; path: string }
  | { kind: 'http'; url: string; username: string; password: string };

export interface YunlianConfig {
  dataDir: string;
  kafka: KafkaConfig | null;
  schemaRegistryUrl: string | null;
  clickhouse: ClickHouseConfig;
  httpPort: number;
  clickhousePort: number;
  apiToken: string | null;
  /** Reads only: dashboards on a wall screen, auditors. */
  readOnlyToken: string | null;
  /** Young generation of each pipeline worker thread in MiB (YUNLIAN_WORKER_YOUNG_GENERATION_MB); 0 = V8's default. */
  workerYoungGenerationMb: number;
  /** Threads running detect in the embedded stack (YUNLIAN_DETECT_THREADS, 1-8); null = the embedded stack's default. */
  detectThreads: number | null;
  /** Where detect snapshots partition state (YUNLIAN_DETECT_SNAPSHOTS); null = the mode's default (files embedded, clickhouse otherwise). */
  detectSnapshots: DetectSnapshotStore | null;
}

/** Where detect snapshots partition state: the ClickHouse table (any host can take a partition over) or files under the data dir (one machine). */
export type DetectSnapshotStore = 'clickhouse' | 'files';

export function detectSnapshotsOf(env: Env): DetectSnapshotStore | null {
  const raw = env.YUNLIAN_DETECT_SNAPSHOTS;
  if (raw === undefined || raw === '') return null;
  if (raw !== 'clickhouse' && raw !== 'files') throw new ConfigError(`YUNLIAN_DETECT_SNAPSHOTS must be clickhouse or files, got '${raw}'`);
  return raw;
}

/** What `yunlian up` publishes about itself for other commands on the machine. */
export interface RuntimeFile {
  pid: number;
  startedAt: string;
  brokers: string[];
  schemaRegistryUrl: string;
  clickhouseHttpUrl: string;
  clickhouseUser: string;
  clickhousePassword: string;
  httpUrl: string | null;
}

export type Env = Record<string, string | undefined>;

export function dataDirOf(env: Env): string {
  return path.resolve(env.YUNLIAN_DATA_DIR ?? '.yunlian');
}

export function runtimeFilePath(dataDir: string): string {
  return path.join(dataDir, 'runtime.json');
}

/** The runtime file of a live `yunlian up`, or null when none runs. */
export function readRuntimeFile(dataDir: string): RuntimeFile | null {
  const file = runtimeFilePath(dataDir);
  if (!existsSync(file)) return null;
  let parsed: RuntimeFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as RuntimeFile;
  } catch (error) {
    throw new ConfigError(`runtime file ${file} is not valid JSON; delete it if no 'yunlian up' is running`, { context: { error: String(error) } });
  }
  return isAlive(parsed.pid) ? parsed : null;
}

export function writeRuntimeFile(dataDir: string, runtime: RuntimeFile): void {
  mkdirSync(dataDir, { recursive: true });
  const file = runtimeFilePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(runtime, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An integer variable in [min, max], or `fallback` when unset; `what` names the allowed values in the error. */
function integerVar(env: Env, name: string, fallback: number, min: number, max: number, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be ${what}, got '${raw}'`);
  return n;
}

function port(env: Env, name: string, fallback: number): number {
  return integerVar(env, name, fallback, 0, 65535, 'a TCP port (0-65535)');
}

function token(env: Env, name: string): string | null {
  const value = env[name];
  if (value === undefined || value === '') return null;
  if (value.length < 16) throw new ConfigError(`${name} must be at least 16 characters (use e.g. 'openssl rand -base64 24')`);
  return value;
}

/**
 * Young generation of a pipeline worker thread, MiB. V8's default (~48 MiB on
 * 64-bit) makes ingest and detect scavenge every few batches while the batches
 * in flight are still alive, so each scavenge copies them; a larger one lets
 * them die first (docs/performance.md, "Worker young generation").
 */
export const DEFAULT_WORKER_YOUNG_GENERATION_MB = 192;

/** YUNLIAN_WORKER_YOUNG_GENERATION_MB, or the default; 0 leaves V8's default. */
export function workerYoungGenerationMbOf(env: Env): number {
  return integerVar(env, 'YUNLIAN_WORKER_YOUNG_GENERATION_MB', DEFAULT_WORKER_YOUNG_GENERATION_MB, 0, 4096, "whole MiB from 0 (V8's default) to 4096");
}

/** Most detect threads: more than a few per core only contend (and a member beyond the legs topic's partition count gets none). */
export const MAX_DETECT_THREADS = 8;

/** YUNLIAN_DETECT_THREADS, or null when unset (the embedded stack then takes defaultDetectThreads: src/embedded/detectThreads.ts). */
export function detectThreadsOf(env: Env): number | null {
  const raw = env.YUNLIAN_DETECT_THREADS;
  if (raw === undefined || raw === '') return null;
  return integerVar(env, 'YUNLIAN_DETECT_THREADS', 1, 1, MAX_DETECT_THREADS, `a whole number of threads from 1 to ${MAX_DETECT_THREADS}`);
}

function parseBrokers(raw: string): string[] {
  const brokers = raw.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new ConfigError(`KAFKA_BROKERS: '${b}' is not host:port (expected e.g. kafka-1:9092,kafka-2:9092)`);
  }
  if (brokers.length === 0) throw new ConfigError('KAFKA_BROKERS is empty');
  return brokers;
}

function parseSasl(env: Env): KafkaConfig['sasl'] {
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (!mechanism) return null;
  if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
    throw new ConfigError(`KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got '${mechanism}'`);
  }
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username || !password) throw new ConfigError('KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required too');
  return { mechanism, username, password };
}

function parseUrl(name: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return raw.replace(/\/$/, '');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got '${raw.replace(/\/\/[^@/]*@/, '//***@')}'`);
  }
}

/**
 * Resolves configuration: env vars win, then a running `yunlian up`'s runtime file.
 * Throws ConfigError with an actionable message on bad values.
 */
export function loadConfig(env: Env = process.env): YunlianConfig {
  const dataDir = dataDirOf(env);
  const runtime = readRuntimeFile(dataDir);
  const brokers = env.KAFKA_BROKERS ? parseBrokers(env.KAFKA_BROKERS) : runtime?.brokers ?? null;
  const clickhouse: ClickHouseConfig = env.CLICKHOUSE_URL
    ? { kind: 'http', url: parseUrl('CLICKHOUSE_URL', env.CLICKHOUSE_URL), username: env.CLICKHOUSE_USER ?? 'default', password: env.CLICKHOUSE_PASSWORD ?? '' }
    : runtime
      ? { kind: 'http', url: runtime.clickhouseHttpUrl, username: runtime.clickhouseUser, password: runtime.clickhousePassword }
      : { kind: 'embedded', path: path.join(dataDir, 'clickhouse') };
  return {
    dataDir,
    kafka: brokers ? { brokers, clientId: env.KAFKA_CLIENT_ID ?? 'yunlian', ssl: env.KAFKA_SSL === 'true', sasl: parseSasl(env) } : null,
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ? parseUrl('SCHEMA_REGISTRY_URL', env.SCHEMA_REGISTRY_URL) : runtime?.schemaRegistryUrl ?? null,
    clickhouse,
    httpPort: port(env, 'YUNLIAN_HTTP_PORT', 8080),
    clickhousePort: port(env, 'YUNLIAN_CLICKHOUSE_PORT', 8123),
    apiToken: token(env, 'YUNLIAN_API_TOKEN'),
    readOnlyToken: token(env, 'YUNLIAN_API_READONLY_TOKEN'),
    workerYoungGenerationMb: workerYoungGenerationMbOf(env),
    detectThreads: detectThreadsOf(env),
    detectSnapshots: detectSnapshotsOf(env),
  };
}
