import type { Command } from '../command.ts';
import { UsageError, parseFlags } from '../command.ts';
import { loadConfig } from '../../runtime/config.ts';
import { openClickHouse } from '../../../sinks/clickhouse/clickhouseClient.ts';
import { toClickHouseFailure } from '../../../sinks/clickhouse/clickhouseErrors.ts';
import { formatTable } from '../formatTable.ts';

const USAGE = `
Usage: yunlian sql "<query>" [--format table|json|csv] [--param name=value ...]

Runs a query against ClickHouse: a running 'yunlian up' (its read-only HTTP interface,
found through YUNLIAN_DATA_DIR), CLICKHOUSE_URL, or else the embedded data dir directly.
Bind values with {name:Type} placeholders and --param name=value; never paste values into SQL.

Examples:
  yunlian sql "SELECT district, count() FROM yunlian.invoices FINAL GROUP BY district"
  yunlian sql "SELECT * FROM yunlian.signals FINAL WHERE district = {d:String} LIMIT 10" --param d=jiashan
`;

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'query ClickHouse and print a table (or --format json)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { format: { type: 'string' }, param: { type: 'string', multiple: true } }, true);
    const query = positionals.join(' ').trim();
    if (!query) throw new UsageError('a query is required');
    const format = values.format ?? 'table';
    if (!['table', 'json', 'csv'].includes(format)) throw new UsageError(`--format must be table, json or csv, got '${format}'`);
    const params: Record<string, string> = {};
    for (const p of values.param ?? []) {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new UsageError(`--param must be name=value, got '${p}'`);
      params[p.slice(0, eq)] = p.slice(eq + 1);
    }
    const client = await openClickHouse(loadConfig().clickhouse);
    try {
      if (format === 'csv') {
        const rs = await client.query({ query, format: 'CSVWithNames', query_params: params });
        process.stdout.write(await rs.text());
        return 0;
      }
      const rs = await client.query({ query, format: 'JSON', query_params: params });
      const result = await rs.json<Record<string, unknown>>();
      if (format === 'json') process.stdout.write(JSON.stringify(result.data, null, 2) + '\n');
      else process.stdout.write(formatTable(result.meta?.map((m) => m.name) ?? Object.keys(result.data[0] ?? {}), result.data) + `\n${result.rows ?? result.data.length} rows\n`);
      return 0;
    } catch (error) {
      throw toClickHouseFailure(error, { operation: 'sql' });
    } finally {
      await client.close();
    }
  },
};
