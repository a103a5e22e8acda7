import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Whether a process of this pid still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const MOCK_CLUSTER_MODULE = fileURLToPath(new URL('../../src/kafka/mockCluster.ts', import.meta.url));
const CRASHING_HOST = `
import { startMockKafkaCluster } from ${JSON.stringify(MOCK_CLUSTER_MODULE)};
const cluster = await startMockKafkaCluster();
console.log(cluster.pid);
setTimeout(() => { throw new Error('crashed without stopping the cluster'); }, 50);
`;

describe('the lifetime of the embedded mock Kafka cluster', () => {
  it('ends with the process that started it, even when that process crashes without stopping it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'yunlian-mock-lifetime-'));
    const script = path.join(dir, 'host.mts');
    writeFileSync(script, CRASHING_HOST);
    const host = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    host.stdout.setEncoding('utf8');
    host.stdout.on('data', (chunk: string) => (out += chunk));
    host.stderr.resume();
    const code = await new Promise<number | null>((resolve) => host.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
    expect(code).not.toBe(0);
    const pid = Number(out.trim());
    expect(Number.isInteger(pid) && pid > 0, `kcat pid printed: ${JSON.stringify(out)}`).toBe(true);
    const deadline = Date.now() + 3_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const survived = alive(pid);
    if (survived) process.kill(pid, 'SIGKILL');
    expect(survived).toBe(false);
  }, 30_000);
});
