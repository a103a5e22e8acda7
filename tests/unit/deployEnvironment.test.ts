import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GROUPS } from '../../src/kafka/topics.ts';
import { loadConfig, type Env } from '../../src/runtime/config.ts';

/**
 * The deploy files name environment variables that the code reads. These tests
 * keep the two in step: a renamed or misspelt variable in compose, the
 * Kubernetes ConfigMap/Secret or the production guide fails here instead of
 * being silently ignored by a running pipeline.
 */
const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const CODE_DIRS = ['src', 'pipelines', 'sinks', 'schemas', 'bin'];
/** Variables Node itself reads; deploy files may set them for the runtime. */
const NODE_RUNTIME_VARS = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']);

function sourceFiles(dir: string): string[] {
  const abs = path.join(root, dir);
  return readdirSync(abs).flatMap((entry) => {
    const full = path.join(abs, entry);
    if (statSync(full).isDirectory()) return sourceFiles(path.join(dir, entry));
    return /\.(ts|js|mjs)$/.test(entry) ? [full] : [];
  });
}

/** Names read as env.NAME, env['NAME'] or handed with env to a reader such as port(env, 'NAME', …). */
function envNamesIn(text: string): Set<string> {
  const pattern = /\benv(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\]|,\s*'([A-Z][A-Z0-9_]+)')/g;
  return new Set([...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3]!));
}

const codeEnvNames = new Set(CODE_DIRS.flatMap(sourceFiles).flatMap((f) => [...envNamesIn(readFileSync(f, 'utf8'))]));
const configEnvNames = envNamesIn(read('src/runtime/config.ts'));
const REQUIRED_FOR_RUN = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL'];

const compose = YAML.parse(read('deploy/compose/docker-compose.yml'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
const k8sDocs = readdirSync(path.join(root, 'deploy/k8s'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => YAML.parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => d.toJS() as { kind: string; data?: Record<string, string>; stringData?: Record<string, string> }));
const configMap = k8sDocs.find((d) => d.kind === 'ConfigMap')!.data!;
const secret = k8sDocs.find((d) => d.kind === 'Secret')!.stringData!;

/** Compose values with ${VAR:?message} interpolation resolved to a stand-in value. */
function interpolated(env: Record<string, string>): Env {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{([A-Z_]+)(:\?[^}]*)?\}/g, 'stand-in-$1')]));
}

describe('environment of the deployed pipelines', () => {
  it('finds the configuration variables in the code (guards the scan itself)', () => {
    for (const name of [...REQUIRED_FOR_RUN, 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'YUNLIAN_HTTP_PORT', 'KAFKA_SASL_MECHANISM']) expect(configEnvNames).toContain(name);
  });

  it('compose sets only variables the code reads, including everything `yunlian run` requires', () => {
    for (const name of Object.keys(GROUPS)) {
      const env = compose.services[name]!.environment!;
      for (const key of Object.keys(env)) expect(codeEnvNames, `${name}: ${key}`).toContain(key);
      for (const key of REQUIRED_FOR_RUN) expect(Object.keys(env), name).toContain(key);
    }
  });

  it('compose gives each pipeline a configuration that loadConfig accepts', () => {
    for (const name of Object.keys(GROUPS)) {
      const config = loadConfig(interpolated(compose.services[name]!.environment!));
      expect(config.kafka?.brokers, name).toHaveLength(3);
      expect(config.clickhouse, name).toMatchObject({ kind: 'http', url: 'http://clickhouse:8123', username: 'yunlian', password: 'stand-in-CLICKHOUSE_PASSWORD' });
      expect(config.schemaRegistryUrl, name).toBe('http://schema-registry:8081');
    }
    expect(loadConfig(interpolated(compose.services.alerts!.environment!)).apiToken).toBe('stand-in-YUNLIAN_API_TOKEN');
  });

  it('the Kubernetes ConfigMap and Secret set only variables the code (or Node) reads', () => {
    for (const key of [...Object.keys(configMap), ...Object.keys(secret)]) {
      expect(codeEnvNames.has(key) || NODE_RUNTIME_VARS.has(key), key).toBe(true);
    }
    for (const key of REQUIRED_FOR_RUN) expect(Object.keys(configMap)).toContain(key);
  });

  it('the Kubernetes ConfigMap and Secret together make a TLS + SASL configuration that loadConfig accepts', () => {
    const config = loadConfig({ ...configMap, ...secret });
    expect(config.kafka?.ssl).toBe(true);
    expect(config.kafka?.sasl?.mechanism).toBe(configMap.KAFKA_SASL_MECHANISM);
    expect(config.kafka?.brokers.length).toBeGreaterThanOrEqual(3);
    expect(config.clickhouse).toMatchObject({ kind: 'http', username: configMap.CLICKHOUSE_USER });
    expect(config.httpPort).toBe(Number(configMap.YUNLIAN_HTTP_PORT));
  });

  it('the production guide documents every variable of src/runtime/config.ts and every deploy variable', () => {
    const guide = read('docs/production.md');
    const deployed = new Set([...configEnvNames, ...Object.keys(configMap), ...Object.keys(secret), ...Object.keys(compose.services.alerts!.environment!)]);
    for (const name of deployed) expect(guide, name).toContain(`\`${name}\``);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');
  const ignored = read('deploy/Dockerfile.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('builds on node:20-bookworm-slim and installs production dependencies only', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim\b/m);
    expect(dockerfile).toContain('npm ci --omit=dev');
    // bin/yunlian.js loads the TypeScript through tsx at run time, so --omit=dev works only while tsx is a runtime dependency.
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain('tsx');
  });

  it('copies every top-level directory the running code reads from, and the ignore file keeps them', () => {
    const copied = new Set([...dockerfile.matchAll(/^COPY (?!--from)(\S+) \.\/\S+$/gm)].map((m) => m[1]!));
    const needed = new Set<string>();
    for (const file of CODE_DIRS.flatMap(sourceFiles)) {
      const text = readFileSync(file, 'utf8');
      const specifiers = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'|new URL\('(\.{1,2}\/[^']+)', import\.meta\.url\)/g)].map((m) => m[1] ?? m[2]!);
      for (const s of specifiers) {
        const top = path.relative(root, path.resolve(path.dirname(file), s)).split(path.sep)[0]!;
        if (top !== '' && !top.startsWith('..')) needed.add(top);
      }
    }
    expect(needed.size).toBeGreaterThanOrEqual(4);
    for (const dir of needed) {
      if (dir === 'tests' || dir === 'package.json') continue;
      expect(copied, dir).toContain(dir);
      expect(ignored, dir).not.toContain(dir);
    }
  });

  it('exposes the port it sets as YUNLIAN_HTTP_PORT and leaves node_modules out of the build context', () => {
    const port = /YUNLIAN_HTTP_PORT=(\d+)/.exec(dockerfile)![1];
    expect(dockerfile).toContain(`EXPOSE ${port}`);
    expect(ignored).toContain('node_modules');
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
