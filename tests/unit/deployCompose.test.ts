import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GROUPS } from '../../src/kafka/topics.ts';

/**
 * deploy/compose cannot be started here (no container engine), so it is
 * validated by parsing: against the Compose Specification's JSON schema
 * (vendored from compose-spec/compose-spec, Apache-2.0) and by checking that
 * the services, ports, metrics and dashboards agree with the code.
 */
const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// Compose resolves YAML merge keys (<<), so the test must too.
const compose = YAML.parse(read('deploy/compose/docker-compose.yml'), { merge: true }) as Compose;
const services = compose.services;
const pipelines = Object.keys(GROUPS);

/** Metric names prom-client registers (src/runtime/metrics.ts), with the series a histogram adds. */
function metricNames(): Set<string> {
  const names = new Set<string>();
  const source = read('src/runtime/metrics.ts');
  for (const m of source.matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name:\s*'([a-z_]+)'/g)) {
    names.add(m[2]!);
    if (m[1] === 'Histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[2]! + s);
  }
  return names;
}

function yunlianMetricsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\byunlian_[a-z_]+/g)].map((m) => m[0]))];
}

function tagOf(image: string): string {
  return image.slice(image.lastIndexOf(':') + 1);
}

describe('docker compose file', () => {
  it('is valid against the Compose Specification schema', async () => {
    // ajv arrives with @kafkajs/confluent-schema-registry; loaded through require so its CJS export is the class.
    const Ajv = createRequire(import.meta.url)('ajv') as new (opts: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false });
    const validate = ajv.compile(JSON.parse(read('deploy/compose/compose-spec.schema.json')) as object);
    const valid = validate(compose);
    expect(validate.errors ?? null).toBeNull();
    expect(valid).toBe(true);
    // The schema check itself must be able to fail.
    expect(validate({ services: { x: { restart: 5 } } })).toBe(false);
  });

  it('has the whole stack: 3 Kafka brokers, topic creation, registry, ClickHouse, Prometheus, Grafana and the four pipelines', () => {
    const required = ['kafka-1', 'kafka-2', 'kafka-3', 'create-topics', 'schema-registry', 'clickhouse', 'prometheus', 'grafana', ...pipelines];
    expect(Object.keys(services)).toEqual(expect.arrayContaining(required));
  });

  it('pins every image to a version, never latest', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.image || s.build) continue;
      expect(s.image, name).toMatch(/:v?\d+\.\d+/);
      expect(tagOf(s.image), name).not.toMatch(/latest/);
    }
  });

  it('runs Kafka in KRaft mode with three broker-controllers that agree on the quorum and replicate 3 ways', () => {
    const brokers = ['kafka-1', 'kafka-2', 'kafka-3'].map((n) => services[n]!);
    const voters = brokers[0]!.environment!.KAFKA_CONTROLLER_QUORUM_VOTERS!;
    expect(voters.split(',')).toHaveLength(3);
    const ids = brokers.map((b) => b.environment!.KAFKA_NODE_ID);
    expect(new Set(ids).size).toBe(3);
    for (const b of brokers) {
      const env = b.environment!;
      expect(b.image).toMatch(/^(apache\/kafka|bitnami\/kafka):\d/);
      expect(env.KAFKA_PROCESS_ROLES).toContain('controller');
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(voters);
      expect(voters).toContain(`${env.KAFKA_NODE_ID}@`);
      expect(env.CLUSTER_ID).toBe(brokers[0]!.environment!.CLUSTER_ID);
      // A KRaft cluster id is a base64url-encoded 16-byte UUID.
      expect(Buffer.from(env.CLUSTER_ID!, 'base64url')).toHaveLength(16);
      expect(env.KAFKA_MIN_INSYNC_REPLICAS).toBe('2');
      expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('3');
      expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    }
  });

  it('runs ClickHouse 24 or newer', () => {
    const [major] = tagOf(services.clickhouse!.image!).split('.');
    expect(Number(major)).toBeGreaterThanOrEqual(24);
  });

  it('creates the topics once with the repository script before the pipelines and the registry start', () => {
    const job = services['create-topics']!;
    expect(job.entrypoint?.join(' ')).toContain('create-topics.sh');
    expect(job.volumes?.some((v) => v.startsWith('../kafka/create-topics.sh:'))).toBe(true);
    for (const name of [...pipelines, 'schema-registry']) {
      const deps = services[name]!.depends_on as Record<string, { condition: string }>;
      expect(deps['create-topics']?.condition, name).toBe('service_completed_successfully');
    }
  });

  it('runs each pipeline as `node bin/yunlian.js run <name>` from deploy/Dockerfile, with time to drain on SIGTERM', () => {
    for (const name of pipelines) {
      const s = services[name]!;
      expect(s.command).toEqual(['node', 'bin/yunlian.js', 'run', name]);
      expect(s.build?.dockerfile).toBe('deploy/Dockerfile');
      expect(path.resolve(root, 'deploy/compose', s.build!.context)).toBe(root);
      expect(s.stop_grace_period).toMatch(/^\d+s$/);
    }
  });

  it('points the pipelines at the compose services on the ports those services listen on', () => {
    const brokerHosts = ['kafka-1', 'kafka-2', 'kafka-3'].map((n) => {
      const internal = /INTERNAL:\/\/([^,]+)/.exec(services[n]!.environment!.KAFKA_ADVERTISED_LISTENERS!)![1];
      return internal;
    });
    const registryPort = /:(\d+)$/.exec(services['schema-registry']!.environment!.SCHEMA_REGISTRY_LISTENERS!)![1];
    for (const name of pipelines) {
      const env = services[name]!.environment!;
      expect(env.KAFKA_BROKERS!.split(',')).toEqual(brokerHosts);
      expect(env.SCHEMA_REGISTRY_URL).toBe(`http://schema-registry:${registryPort}`);
      expect(env.CLICKHOUSE_URL).toBe('http://clickhouse:8123');
      expect(env.CLICKHOUSE_USER).toBe(services.clickhouse!.environment!.CLICKHOUSE_USER);
      expect(env.CLICKHOUSE_PASSWORD).toBe(services.clickhouse!.environment!.CLICKHOUSE_PASSWORD);
    }
  });

  it('checks readiness, publishes and scrapes each pipeline on its YUNLIAN_HTTP_PORT', () => {
    const prometheus = YAML.parse(read('deploy/compose/prometheus/prometheus.yml')) as {
      scrape_configs: { job_name: string; metrics_path?: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'yunlian')!;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    const sd = job.dns_sd_configs![0]!;
    expect([...sd.names].sort()).toEqual([...pipelines].sort());
    for (const name of pipelines) {
      const s = services[name]!;
      const port = s.environment!.YUNLIAN_HTTP_PORT;
      expect(String(sd.port)).toBe(port);
      expect(s.healthcheck!.test.join(' ')).toContain(`:${port}/readyz`);
    }
    expect(services.alerts!.ports).toContain(`${services.alerts!.environment!.YUNLIAN_HTTP_PORT}:${services.alerts!.environment!.YUNLIAN_HTTP_PORT}`);
  });

  it('mounts only files that exist in the repository', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.')) {
          expect(Object.keys(compose.volumes ?? {}), `${name}: named volume ${source}`).toContain(source);
          continue;
        }
        expect(() => readFileSync(path.resolve(root, 'deploy/compose', source)), `${name}: ${source}`).not.toThrow(/ENOENT/);
      }
    }
  });

  it('requires every password from the environment instead of carrying one', () => {
    const text = read('deploy/compose/docker-compose.yml');
    for (const m of text.matchAll(/^\s*([A-Z_]*(PASSWORD|TOKEN|SECRET)[A-Z_]*):\s*(.+)$/gm)) {
      expect(m[3], m[1]).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
    }
  });
});

describe('Prometheus and Grafana provisioning', () => {
  const known = metricNames();

  it('loads the alert rules and every rule uses metrics the pipelines export', () => {
    expect(services.prometheus!.volumes).toContain('../prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
    const rules = YAML.parse(read('deploy/prometheus/alerts.yml')) as { groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(expect.arrayContaining(['YunlianDataLoss', 'YunlianConsumerLagHigh', 'YunlianConsumerLagGrowing', 'YunlianPipelineDown']));
    for (const r of all) {
      expect(['critical', 'warning', 'info'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      for (const metric of yunlianMetricsIn(r.expr)) expect(known, `${r.alert}: ${metric}`).toContain(metric);
    }
    expect(all.find((r) => r.alert === 'YunlianDataLoss')!.labels.severity).toBe('critical');
  });

  it('provisions Prometheus and the ClickHouse plugin data source with the uids the dashboard uses', () => {
    const ds = YAML.parse(read('deploy/compose/grafana/provisioning/datasources/datasources.yml')) as { datasources: { uid: string; type: string; jsonData: Record<string, unknown> }[] };
    const byType = new Map(ds.datasources.map((d) => [d.type, d]));
    expect(byType.get('prometheus')).toBeDefined();
    const chDs = byType.get('grafana-clickhouse-datasource')!;
    expect(chDs.jsonData.host).toBe('clickhouse');
    expect(services.grafana!.environment!.GF_INSTALL_PLUGINS).toMatch(/^grafana-clickhouse-datasource \d+\.\d+\.\d+$/);
    const dashboard = read('deploy/compose/grafana/dashboards/yunlian.json');
    for (const uid of [...dashboard.matchAll(/"uid": "(yunlian-[a-z]+)"/g)].map((m) => m[1]!)) {
      if (uid === 'yunlian-pipelines') continue;
      expect(ds.datasources.map((d) => d.uid)).toContain(uid);
    }
  });

  it('provisions a yunlian dashboard with lag, records in/out, DLQ by reason, sink latency, watermark delay, open signals, data loss and detect\'s snapshots', () => {
    const dashboard = JSON.parse(read('deploy/compose/grafana/dashboards/yunlian.json')) as { panels: { type: string; title: string; targets?: { expr?: string; rawSql?: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).join('\n');
    expect(exprs).toContain('yunlian_consumer_lag');
    expect(exprs).toContain('yunlian_records_in_total');
    expect(exprs).toContain('yunlian_records_out_total');
    expect(exprs).toMatch(/sum by \(pipeline, reason\) \(rate\(yunlian_dlq_records_total/);
    expect(exprs).toContain('yunlian_sink_latency_seconds_bucket');
    expect(exprs).toMatch(/by \(district\) \(yunlian_watermark_delay_seconds/);
    expect(exprs).toMatch(/by \(signal_type\) \(yunlian_open_signals/);
    expect(exprs).toContain('yunlian_data_loss_records_total');
    expect(exprs).toContain('yunlian_detect_snapshot_encode_seconds_bucket');
    for (const metric of yunlianMetricsIn(exprs)) expect(known, metric).toContain(metric);
    const sql = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.rawSql ?? '')).filter(Boolean);
    expect(sql.length).toBeGreaterThan(0);
    const provider = YAML.parse(read('deploy/compose/grafana/provisioning/dashboards/dashboards.yml')) as { providers: { options: { path: string } }[] };
    expect(services.grafana!.volumes).toContain(`./grafana/dashboards:${provider.providers[0]!.options.path}:ro`);
  });
});
