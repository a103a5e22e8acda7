import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GROUPS, TOPICS } from '../../src/kafka/topics.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = path.join(root, 'deploy/k8s');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  command: string[];
  ports: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: ({ configMapRef: { name: string } } | { secretRef: { name: string } })[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
interface Deployment extends Manifest {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { terminationGracePeriodSeconds?: number; containers: Container[] } };
  };
}

/** Every document of every manifest file; a YAML error fails the test that loads it. */
function loadManifests(): { file: string; doc: Manifest }[] {
  const out: { file: string; doc: Manifest }[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const docs = YAML.parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'));
    for (const d of docs) {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      const doc = d.toJS() as Manifest | null;
      if (doc) out.push({ file, doc });
    }
  }
  return out;
}

const manifests = loadManifests();
const ofKind = <T extends Manifest>(kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc as T);
const deployments = ofKind<Deployment>('Deployment');
const SECRET_NAME = /PASSWORD|TOKEN|SECRET|SASL_USERNAME|CREDENTIAL|API_KEY/i;

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe('Kubernetes manifests', () => {
  it('all parse, name their kind and live in the yunlian namespace', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(10);
    for (const { file, doc } of manifests) {
      expect(doc.apiVersion, file).toBeTruthy();
      expect(doc.kind, file).toBeTruthy();
      expect(doc.metadata?.name, file).toBeTruthy();
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace, `${file} ${doc.kind}`).toBe('yunlian');
    }
    expect(ofKind('Namespace').map((n) => n.metadata.name)).toEqual(['yunlian']);
  });

  it('apply in dependency order: the namespace first, then config, then workloads', () => {
    const files = [...new Set(manifests.map((m) => m.file))];
    const first = (kind: string) => files.indexOf(manifests.find((m) => m.doc.kind === kind)!.file);
    expect(first('Namespace')).toBe(0);
    expect(first('ConfigMap')).toBeLessThan(first('Deployment'));
    expect(first('Secret')).toBeLessThan(first('Deployment'));
  });

  it('has one Deployment per pipeline running `node bin/yunlian.js run <name>`', () => {
    const commands = deployments.map((d) => d.spec.template.spec.containers[0]!.command);
    expect(commands).toEqual(expect.arrayContaining(Object.keys(GROUPS).map((name) => ['node', 'bin/yunlian.js', 'run', name])));
    expect(deployments).toHaveLength(Object.keys(GROUPS).length);
  });

  it('gives every Deployment liveness on /healthz, readiness on /readyz, resources and time to drain', () => {
    for (const d of deployments) {
      const name = d.metadata.name;
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), name).toBe(true);
      expect(d.spec.template.spec.terminationGracePeriodSeconds ?? 30, name).toBeGreaterThanOrEqual(30);
      for (const c of d.spec.template.spec.containers) {
        const portNames = c.ports.map((p) => p.name);
        const portNumbers = c.ports.map((p) => p.containerPort);
        expect(c.livenessProbe?.httpGet.path, name).toBe('/healthz');
        expect(c.readinessProbe?.httpGet.path, name).toBe('/readyz');
        for (const probe of [c.livenessProbe!, c.readinessProbe!]) {
          const port = probe.httpGet.port;
          expect(typeof port === 'string' ? portNames.includes(port) : portNumbers.includes(port), `${name} probe port ${port}`).toBe(true);
        }
        for (const r of ['cpu', 'memory']) {
          expect(c.resources?.requests?.[r], `${name} requests.${r}`).toBeTruthy();
          expect(c.resources?.limits?.[r], `${name} limits.${r}`).toBeTruthy();
        }
      }
    }
  });

  it('serves the metrics port the pipeline is configured for', () => {
    const configMap = ofKind<Manifest & { data: Record<string, string> }>('ConfigMap').find((c) => c.metadata.name === 'yunlian-config')!;
    for (const d of deployments) {
      expect(d.spec.template.spec.containers[0]!.ports.map((p) => String(p.containerPort))).toContain(configMap.data.YUNLIAN_HTTP_PORT);
    }
  });

  it('takes configuration from the ConfigMap and Secret that the manifests define', () => {
    const names = new Set(manifests.map((m) => `${m.doc.kind}/${m.doc.metadata.name}`));
    for (const d of deployments) {
      for (const c of d.spec.template.spec.containers) {
        for (const ref of c.envFrom ?? []) {
          const target = 'configMapRef' in ref ? `ConfigMap/${ref.configMapRef.name}` : `Secret/${ref.secretRef.name}`;
          expect(names, `${d.metadata.name} -> ${target}`).toContain(target);
        }
      }
    }
  });

  it('carries no literal secrets: Secret values are placeholders and secret-like variables never have inline values', () => {
    for (const s of ofKind<Manifest & { stringData?: Record<string, string>; data?: Record<string, string> }>('Secret')) {
      expect(s.data, 'use stringData placeholders, not base64 data').toBeUndefined();
      for (const [k, v] of Object.entries(s.stringData ?? {})) expect(v, k).toMatch(/^(REPLACE_ME|CHANGE_ME|REPLACE_ME_WITH_A_RANDOM_TOKEN_OF_32_CHARS|<[^>]+>)$/);
    }
    for (const c of ofKind<Manifest & { data: Record<string, string> }>('ConfigMap')) {
      for (const k of Object.keys(c.data)) expect(k, `${c.metadata.name} holds a secret-like key`).not.toMatch(SECRET_NAME);
    }
    for (const d of deployments) {
      for (const c of d.spec.template.spec.containers) {
        for (const e of c.env ?? []) if (SECRET_NAME.test(e.name)) expect(e.value, `${d.metadata.name} ${e.name}`).toBeUndefined();
      }
    }
  });

  it('protects every pipeline with a PodDisruptionBudget and exposes the alerts dashboard through a Service', () => {
    const pdbs = ofKind<Manifest & { spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number; minAvailable?: number } }>('PodDisruptionBudget');
    for (const d of deployments) {
      const covering = pdbs.filter((p) => matches(p.spec.selector.matchLabels, d.spec.template.metadata.labels));
      expect(covering, d.metadata.name).toHaveLength(1);
    }
    const services = ofKind<Manifest & { spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] } }>('Service');
    const alerts = deployments.find((d) => d.spec.template.spec.containers[0]!.command.at(-1) === 'alerts')!;
    const service = services.find((s) => matches(s.spec.selector, alerts.spec.template.metadata.labels));
    expect(service).toBeDefined();
    const portNames = alerts.spec.template.spec.containers[0]!.ports.map((p) => p.name);
    expect(portNames).toContain(service!.spec.ports[0]!.targetPort);
  });

  it('scales ingest no further than the partitions of the invoice topics its group reads', () => {
    const hpa = ofKind<Manifest & { spec: { maxReplicas: number; scaleTargetRef: { name: string } } }>('HorizontalPodAutoscaler');
    const script = readFileSync(path.join(root, 'deploy/kafka/create-topics.sh'), 'utf8');
    const partitions = Number(/INVOICE_PARTITIONS="\$\{INVOICE_PARTITIONS:-(\d+)\}"/.exec(script)![1]);
    for (const h of hpa) {
      expect(deployments.map((d) => d.metadata.name)).toContain(h.spec.scaleTargetRef.name);
      if (h.spec.scaleTargetRef.name === 'yunlian-ingest') expect(h.spec.maxReplicas).toBeLessThanOrEqual(partitions * TOPICS.invoices.length);
    }
  });
});
