import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../src/kafka/topics.ts';

/**
 * deploy/kafka/create-topics.sh is run for real against stand-ins for
 * kafka-topics.sh and kafka-configs.sh that record their arguments, so the
 * test sees exactly what the script would ask of the brokers.
 */
const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'deploy/kafka/create-topics.sh');
const allTopics: string[] = [...TOPICS.invoices, TOPICS.invoiceLegs, TOPICS.disruptions, TOPICS.matches, TOPICS.dlq];

const binDir = mkdtempSync(path.join(tmpdir(), 'yunlian-create-topics-'));
const callLog = path.join(binDir, 'calls.log');
for (const tool of ['kafka-topics.sh', 'kafka-configs.sh']) {
  const stub = path.join(binDir, tool);
  writeFileSync(stub, `#!/usr/bin/env bash\nprintf '%s' "${tool}" >> "${callLog}"\nprintf ' %s' "$@" >> "${callLog}"\necho >> "${callLog}"\n`);
  chmodSync(stub, 0o755);
}
afterAll(() => rmSync(binDir, { recursive: true, force: true }));

interface Call {
  tool: string;
  args: string[];
}

function runScript(args: string[], env: Record<string, string> = {}): { calls: Call[]; stdout: string } {
  writeFileSync(callLog, '');
  const stdout = execFileSync('bash', [script, ...args], { env: { PATH: process.env.PATH ?? '', KAFKA_BIN_DIR: binDir, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const calls = readFileSync(callLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [tool, ...rest] = line.split(' ');
      return { tool: tool!, args: rest };
    });
  return { calls, stdout };
}

/** The value after a flag, or every value of a repeated flag. */
function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}
function configsOf(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  args.forEach((a, i) => {
    if (a === '--config') {
      const [k, v] = args[i + 1]!.split('=');
      out[k!] = v!;
    }
  });
  return out;
}

describe('create-topics.sh', () => {
  it('is valid bash', () => {
    expect(() => execFileSync('bash', ['-n', script])).not.toThrow();
  });

  it('creates every topic of src/kafka/topics.ts idempotently with RF 3 and min.insync.replicas=2', () => {
    const { calls } = runScript(['--bootstrap-server', 'broker-a:9092,broker-b:9092']);
    const creates = calls.filter((c) => c.tool === 'kafka-topics.sh');
    const created = creates.map((c) => flag(c.args, '--topic'));
    expect(created).toEqual(expect.arrayContaining(allTopics));
    for (const c of creates) {
      const topic = flag(c.args, '--topic');
      expect(c.args, topic).toContain('--create');
      expect(c.args, topic).toContain('--if-not-exists');
      expect(flag(c.args, '--bootstrap-server'), topic).toBe('broker-a:9092,broker-b:9092');
      expect(flag(c.args, '--replication-factor'), topic).toBe('3');
      expect(configsOf(c.args)['min.insync.replicas'], topic).toBe('2');
      expect(Number(flag(c.args, '--partitions')), topic).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives the high-volume topics 12 partitions so ingest and detect can scale to 12 processes', () => {
    const { calls } = runScript([]);
    const partitions = new Map(calls.filter((c) => c.tool === 'kafka-topics.sh').map((c) => [flag(c.args, '--topic'), Number(flag(c.args, '--partitions'))]));
    for (const t of [...TOPICS.invoices, TOPICS.invoiceLegs]) expect(partitions.get(t), t).toBe(12);
  });

  it('converges the configs of topics that already exist', () => {
    const { calls } = runScript([]);
    for (const topic of allTopics) {
      const create = calls.find((c) => c.tool === 'kafka-topics.sh' && flag(c.args, '--topic') === topic)!;
      const alter = calls.find((c) => c.tool === 'kafka-configs.sh' && flag(c.args, '--entity-name') === topic);
      expect(alter, topic).toBeDefined();
      expect(alter!.args).toContain('--alter');
      const wanted = Object.entries(configsOf(create.args)).map(([k, v]) => `${k}=${v}`);
      expect(flag(alter!.args, '--add-config')!.split(','), topic).toEqual(wanted);
    }
  });

  it('keeps dead letters longest and compacts the Schema Registry changelog', () => {
    const { calls } = runScript([]);
    const configs = new Map(calls.filter((c) => c.tool === 'kafka-topics.sh').map((c) => [flag(c.args, '--topic')!, configsOf(c.args)]));
    const retention = (t: string) => Number(configs.get(t)!['retention.ms']);
    for (const t of allTopics.filter((t) => t !== TOPICS.dlq)) expect(retention(TOPICS.dlq), t).toBeGreaterThan(retention(t));
    expect(retention(TOPICS.dlq)).toBeGreaterThanOrEqual(30 * 86_400_000);
    for (const t of allTopics) expect(configs.get(t)!['cleanup.policy'], t).toBe('delete');
    expect(configs.get('_schemas')).toMatchObject({ 'cleanup.policy': 'compact', 'min.insync.replicas': '2' });
    const schemas = calls.find((c) => flag(c.args, '--topic') === '_schemas')!;
    expect(flag(schemas.args, '--partitions')).toBe('1');
  });

  it('takes the bootstrap server and client properties from the environment', () => {
    const { calls } = runScript([], { BOOTSTRAP_SERVER: 'kafka-1:9092', KAFKA_COMMAND_CONFIG: '/etc/kafka/client.properties' });
    for (const c of calls) {
      expect(flag(c.args, '--bootstrap-server')).toBe('kafka-1:9092');
      expect(flag(c.args, '--command-config')).toBe('/etc/kafka/client.properties');
    }
  });

  it('prints the commands without running them on --dry-run', () => {
    const { calls, stdout } = runScript(['--dry-run']);
    expect(calls).toEqual([]);
    for (const t of allTopics) expect(stdout).toContain(`--topic ${t} `);
  });

  it('rejects an unknown argument', () => {
    expect(() => runScript(['--bootstrap'])).toThrow();
  });
});
