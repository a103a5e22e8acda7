import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, type Migration } from '../../sinks/clickhouse/schema.ts';
import { DEFAULT_CLUSTER_DDL_OPTIONS, SCHEMA_MIGRATIONS_COLUMNS, generateClusterDdl, shardingKeyOf } from '../../deploy/clickhouse/generateClusterDdl.ts';

const root = path.resolve(import.meta.dirname, '../..');
const committed = () => readFileSync(path.join(root, 'deploy/clickhouse/cluster.sql'), 'utf8');

function migration(...statements: string[]): Migration[] {
  return [{ version: 1, name: 'test', statements }];
}

/** Tables the embedded model creates, with their engine names. */
function embeddedTables(): { table: string; engine: string }[] {
  const tables: { table: string; engine: string }[] = [];
  for (const m of MIGRATIONS) {
    for (const s of m.statements) {
      const create = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?yunlian\.(\w+)/i.exec(s);
      const engine = /ENGINE\s*=\s*(\w+)/i.exec(s);
      if (create && engine) tables.push({ table: create[1]!, engine: engine[1]! });
    }
  }
  return tables;
}

describe('committed cluster DDL', () => {
  it('is exactly what the generator makes of the current MIGRATIONS (regenerate with the command in its header)', () => {
    expect(committed()).toBe(generateClusterDdl(MIGRATIONS));
  });

  it('is what the CLI entry prints', () => {
    const printed = execFileSync(process.execPath, ['--import', 'tsx', 'deploy/clickhouse/generateClusterDdl.ts'], { cwd: root, encoding: 'utf8' });
    expect(printed).toBe(generateClusterDdl(MIGRATIONS));
  });

  it('gives every embedded MergeTree table a Replicated local twin on the cluster and a Distributed table under its own name', () => {
    const sql = committed();
    const tables = embeddedTables().filter((t) => t.engine.endsWith('MergeTree'));
    expect(tables.length).toBeGreaterThanOrEqual(5);
    for (const { table, engine } of tables) {
      const local = new RegExp(
        `CREATE TABLE IF NOT EXISTS yunlian\\.${table}_local ON CLUSTER yunlian \\([\\s\\S]*?\\) ENGINE = Replicated${engine}\\('/clickhouse/tables/\\{shard\\}/yunlian/${table}', '\\{replica\\}'`,
      );
      expect(sql, table).toMatch(local);
      const distributed = new RegExp(
        `CREATE TABLE IF NOT EXISTS yunlian\\.${table} ON CLUSTER yunlian AS yunlian\\.${table}_local\\nENGINE = Distributed\\(yunlian, yunlian, ${table}_local, cityHash64\\(`,
      );
      expect(sql, table).toMatch(distributed);
    }
  });

  it('creates no single-node MergeTree table and puts every statement on the cluster', () => {
    const statements = committed()
      .split(/;\n/)
      .map((s) => s.replace(/^(--.*\n|\n)+/g, '').trim())
      .filter((s) => s !== '');
    for (const s of statements) {
      if (s.startsWith('INSERT')) continue;
      expect(s, s.slice(0, 80)).toMatch(/^(CREATE (OR REPLACE )?\S+ (IF NOT EXISTS )?yunlian(\.\w+)?|ALTER TABLE yunlian\.\w+) ON CLUSTER yunlian/);
      const engine = /ENGINE = (\w+)/.exec(s)?.[1];
      if (engine) expect(['Distributed', 'ReplicatedMergeTree'].includes(engine) || /^Replicated\w+MergeTree$/.test(engine), engine).toBe(true);
    }
  });

  it('records every migration version so the pipelines\u2019 start-up migrate() applies nothing on the cluster', () => {
    const sql = committed();
    for (const m of MIGRATIONS) expect(sql).toContain(`(${m.version}, '${m.name.replace(/'/g, "\\'")}', now64(3))`);
  });

  it('keeps the schema_migrations columns that migrate() reads and writes', () => {
    const migrateSource = readFileSync(path.join(root, 'sinks/clickhouse/migrate.ts'), 'utf8');
    expect(migrateSource).toContain(`yunlian.schema_migrations (${SCHEMA_MIGRATIONS_COLUMNS})`);
  });
});

describe('generateClusterDdl', () => {
  const table = (engine: string, tail = 'ORDER BY (enterprise_tax_id, day)') =>
    `CREATE TABLE IF NOT EXISTS yunlian.t (
        day Date,
        enterprise_tax_id String COMMENT 'USCC, it''s the key',
        amount_fen Int64
      ) ENGINE = ${engine}
      ${tail}`;

  it('keeps the engine parameters after the Keeper path and replica name', () => {
    const sql = generateClusterDdl(migration(table('ReplacingMergeTree(version)')));
    expect(sql).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/yunlian/t', '{replica}', version)");
  });

  it('maps an engine written without parentheses and one with empty parentheses alike', () => {
    expect(generateClusterDdl(migration(table('MergeTree')))).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/yunlian/t', '{replica}')\n");
    expect(generateClusterDdl(migration(table('MergeTree()')))).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/yunlian/t', '{replica}')\n");
  });

  it('keeps nested engine parameters such as SummingMergeTree columns', () => {
    const sql = generateClusterDdl(migration(table('SummingMergeTree((amount_fen))')));
    expect(sql).toContain("ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/yunlian/t', '{replica}', (amount_fen))");
  });

  it('keeps PARTITION BY, ORDER BY, TTL, SETTINGS and COMMENT and maps the single-node dedup window to the replicated one', () => {
    const sql = generateClusterDdl(
      migration(
        table(
          'AggregatingMergeTree',
          "PARTITION BY toYYYYMM(day)\n      ORDER BY (enterprise_tax_id, day)\n      TTL day + INTERVAL 5 YEAR\n      SETTINGS non_replicated_deduplication_window = 1000, index_granularity = 4096\n      COMMENT 'Enterprise x day; non_replicated_deduplication_window stays in text'",
        ),
      ),
    );
    const local = sql.slice(sql.indexOf('CREATE TABLE IF NOT EXISTS yunlian.t_local'));
    expect(local).toContain('PARTITION BY toYYYYMM(day)\nORDER BY (enterprise_tax_id, day)\nTTL day + INTERVAL 5 YEAR\n');
    expect(local).toContain('SETTINGS replicated_deduplication_window = 1000, index_granularity = 4096\n');
    expect(local).toContain("COMMENT 'Enterprise x day; non_replicated_deduplication_window stays in text';");
    expect(sql).toMatch(/ENGINE = Distributed\(yunlian, yunlian, t_local, cityHash64\(enterprise_tax_id\)\)\nCOMMENT 'Enterprise x day; non_replicated_deduplication_window stays in text';/);
  });

  it('keeps column definitions with comments, codecs and quotes unchanged', () => {
    const sql = generateClusterDdl(
      migration(`CREATE TABLE yunlian.s (
        k String,
        state String CODEC(ZSTD(3)) COMMENT 'JSON (of the state), with a, comma'
      ) ENGINE = ReplacingMergeTree(k) ORDER BY (k)`),
    );
    expect(sql).toContain("CREATE TABLE yunlian.s_local ON CLUSTER yunlian (\n  k String,\n  state String CODEC(ZSTD(3)) COMMENT 'JSON (of the state), with a, comma'\n) ENGINE");
    expect(sql).toContain('CREATE TABLE yunlian.s ON CLUSTER yunlian AS yunlian.s_local');
  });

  it('passes a non-MergeTree table through with ON CLUSTER and no Distributed twin', () => {
    const sql = generateClusterDdl(migration('CREATE TABLE IF NOT EXISTS yunlian.buffer (x UInt8) ENGINE = Null'));
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS yunlian.buffer ON CLUSTER yunlian (x UInt8) ENGINE = Null;');
    expect(sql).not.toContain('buffer_local');
  });

  it('passes analyst views through with ON CLUSTER so they read the Distributed tables', () => {
    const sql = generateClusterDdl(
      migration(table('ReplacingMergeTree'), 'CREATE OR REPLACE VIEW yunlian.v AS SELECT day, sum(amount_fen) AS fen FROM yunlian.t FINAL GROUP BY day'),
    );
    expect(sql).toContain('CREATE OR REPLACE VIEW yunlian.v ON CLUSTER yunlian AS SELECT day, sum(amount_fen) AS fen FROM yunlian.t FINAL GROUP BY day;');
  });

  it('attaches a materialized view to the local source and local target, because inserts land in the local tables', () => {
    const sql = generateClusterDdl(
      migration(
        table('ReplacingMergeTree'),
        'CREATE TABLE yunlian.daily (day Date, fen Int64) ENGINE = SummingMergeTree ORDER BY day',
        'CREATE MATERIALIZED VIEW IF NOT EXISTS yunlian.daily_mv TO yunlian.daily AS SELECT day, sum(amount_fen) AS fen FROM yunlian.t GROUP BY day',
      ),
    );
    expect(sql).toContain(
      'CREATE MATERIALIZED VIEW IF NOT EXISTS yunlian.daily_mv ON CLUSTER yunlian TO yunlian.daily_local AS SELECT day, sum(amount_fen) AS fen FROM yunlian.t_local GROUP BY day;',
    );
  });

  it('replicates the inner engine of a materialized view and reads it through a Distributed table', () => {
    const sql = generateClusterDdl(
      migration(table('ReplacingMergeTree'), 'CREATE MATERIALIZED VIEW yunlian.m ENGINE = SummingMergeTree ORDER BY day AS SELECT day, sum(amount_fen) AS fen FROM yunlian.t GROUP BY day'),
    );
    expect(sql).toContain(
      "CREATE MATERIALIZED VIEW yunlian.m_local ON CLUSTER yunlian ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/yunlian/m', '{replica}') ORDER BY day AS SELECT day, sum(amount_fen) AS fen FROM yunlian.t_local GROUP BY day;",
    );
    expect(sql).toContain('CREATE TABLE yunlian.m ON CLUSTER yunlian AS yunlian.m_local\nENGINE = Distributed(yunlian, yunlian, m_local);');
  });

  it('applies column changes to the local and the Distributed table, other changes to the local table only', () => {
    const sql = generateClusterDdl(
      migration(table('ReplacingMergeTree'), "ALTER TABLE yunlian.t ADD COLUMN IF NOT EXISTS note String DEFAULT ''", 'ALTER TABLE yunlian.t MODIFY TTL day + INTERVAL 1 YEAR'),
    );
    expect(sql).toContain("ALTER TABLE yunlian.t_local ON CLUSTER yunlian ADD COLUMN IF NOT EXISTS note String DEFAULT '';");
    expect(sql).toContain("ALTER TABLE yunlian.t ON CLUSTER yunlian ADD COLUMN IF NOT EXISTS note String DEFAULT '';");
    expect(sql).toContain('ALTER TABLE yunlian.t_local ON CLUSTER yunlian MODIFY TTL day + INTERVAL 1 YEAR;');
    expect(sql).not.toContain('ALTER TABLE yunlian.t ON CLUSTER yunlian MODIFY TTL');
  });

  it('refuses an ALTER that mixes column changes with data changes, since they belong to different tables', () => {
    expect(() => generateClusterDdl(migration(table('ReplacingMergeTree'), "ALTER TABLE yunlian.t ADD COLUMN note String, MODIFY TTL day + INTERVAL 1 YEAR"))).toThrow(/separate statements/);
  });

  it('orders migrations by version whatever order they are given in', () => {
    const sql = generateClusterDdl([
      { version: 2, name: 'second', statements: ['CREATE VIEW yunlian.b AS SELECT 1'] },
      { version: 1, name: 'first', statements: ['CREATE VIEW yunlian.a AS SELECT 1'] },
    ]);
    expect(sql.indexOf('-- migration 1: first')).toBeLessThan(sql.indexOf('-- migration 2: second'));
    expect(sql).toContain("(1, 'first', now64(3)),\n  (2, 'second', now64(3));");
  });

  it('honours a cluster name, path and sharding key given in the options', () => {
    const sql = generateClusterDdl(migration(table('MergeTree')), { cluster: 'prod', replicatedPath: '/ch/{shard}/<table>', shardingKeys: { t: 'sipHash64(day)' } });
    expect(sql).toContain("CREATE TABLE IF NOT EXISTS yunlian.t_local ON CLUSTER prod");
    expect(sql).toContain("ReplicatedMergeTree('/ch/{shard}/t', '{replica}')");
    expect(sql).toContain('ENGINE = Distributed(prod, yunlian, t_local, sipHash64(day))');
  });

  it('refuses statements it cannot translate instead of emitting single-node DDL', () => {
    expect(() => generateClusterDdl(migration('INSERT INTO yunlian.t VALUES (1)'))).toThrow(/unknown kind of statement/);
    expect(() => generateClusterDdl(migration('CREATE TABLE other.t (x UInt8) ENGINE = MergeTree ORDER BY x'))).toThrow(/database yunlian/);
    expect(() => generateClusterDdl(migration("CREATE TABLE yunlian.t (x UInt8) ENGINE = ReplicatedMergeTree('/p', 'r') ORDER BY x"))).toThrow(/Replicated/);
  });
});

describe('shardingKeyOf', () => {
  it('prefers the event id, then the enterprise, so duplicates and an enterprise\u2019s rows share a shard', () => {
    expect(shardingKeyOf({ columns: ['day', 'enterprise_tax_id', 'event_id'], orderBy: '(day)' })).toBe('cityHash64(event_id)');
    expect(shardingKeyOf({ columns: ['signal_id', 'enterprise_tax_id'], orderBy: '(signal_id)' })).toBe('cityHash64(enterprise_tax_id)');
  });

  it('falls back to a hash of the whole ORDER BY key, and to rand() for a table without one', () => {
    expect(shardingKeyOf({ columns: ['group_id', 'topic', 'partition'], orderBy: '(group_id, topic, partition)' })).toBe('cityHash64(group_id, topic, partition)');
    expect(shardingKeyOf({ columns: ['k'], orderBy: 'k' })).toBe('cityHash64(k)');
    expect(shardingKeyOf({ columns: ['x'], orderBy: 'tuple()' })).toBe('rand()');
    expect(shardingKeyOf({ columns: ['x'], orderBy: null })).toBe('rand()');
  });
});

describe('example cluster configuration', () => {
  const configDir = path.join(root, 'deploy/clickhouse/config');
  const remoteServers = readFileSync(path.join(configDir, 'remote_servers.xml'), 'utf8');

  it('defines the cluster the DDL targets with 2 shards of 2 replicas each, replicating internally', () => {
    const cluster = new RegExp(`<${DEFAULT_CLUSTER_DDL_OPTIONS.cluster}>([\\s\\S]*)</${DEFAULT_CLUSTER_DDL_OPTIONS.cluster}>`).exec(remoteServers)?.[1];
    expect(cluster).toBeDefined();
    const shards = [...cluster!.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) => m[1]!);
    expect(shards).toHaveLength(2);
    for (const shard of shards) {
      expect(shard).toContain('<internal_replication>true</internal_replication>');
      expect([...shard.matchAll(/<replica>/g)]).toHaveLength(2);
    }
  });

  it('has macros for every replica, with its own shard number and a replica name unique in the cluster', () => {
    const shards = [...remoteServers.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) => [...m[1]!.matchAll(/<host>([^<]+)<\/host>/g)].map((h) => h[1]!));
    const replicaNames = new Set<string>();
    shards.forEach((hosts, i) => {
      for (const host of hosts) {
        const macros = readFileSync(path.join(configDir, 'macros', `${host}.xml`), 'utf8');
        expect(/<shard>([^<]+)<\/shard>/.exec(macros)?.[1], host).toBe(String(i + 1));
        replicaNames.add(/<replica>([^<]+)<\/replica>/.exec(macros)![1]!);
      }
    });
    expect(replicaNames.size).toBe(shards.flat().length);
    expect(readdirSync(path.join(configDir, 'macros'))).toHaveLength(shards.flat().length);
  });

  it('points every server at a three-node Keeper ensemble that matches the Keeper raft configuration', () => {
    const zookeeper = readFileSync(path.join(configDir, 'zookeeper.xml'), 'utf8');
    const keeper = readFileSync(path.join(configDir, 'keeper.xml'), 'utf8');
    const clients = [...zookeeper.matchAll(/<host>([^<]+)<\/host><port>(\d+)<\/port>/g)].map((m) => `${m[1]}:${m[2]}`);
    const tcpPort = /<tcp_port>(\d+)<\/tcp_port>/.exec(keeper)![1];
    const raft = [...keeper.matchAll(/<hostname>([^<]+)<\/hostname>/g)].map((m) => `${m[1]}:${tcpPort}`);
    expect(clients).toHaveLength(3);
    expect(clients).toEqual(raft);
  });

  it('never carries a password or cluster secret in the files', () => {
    for (const file of ['remote_servers.xml', 'users.xml', 'keeper.xml']) {
      const text = readFileSync(path.join(configDir, file), 'utf8');
      for (const m of text.matchAll(/<(password\w*|secret)\b([^>]*)\/?>/g)) expect(m[2], `${file} <${m[1]}>`).toMatch(/from_env="[A-Z0-9_]+"/);
    }
  });
});
