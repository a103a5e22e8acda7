import { UsageError, type Command } from './command.ts';
import { YunlianError } from '../runtime/errors.ts';
import { upCommand } from './commands/up.ts';
import { runCommand } from './commands/run.ts';
import { produceCommand } from './commands/produce.ts';
import { sqlCommand } from './commands/sql.ts';
import { simulateCommand } from './commands/simulate.ts';

const COMMANDS: Command[] = [upCommand, runCommand, produceCommand, sqlCommand, simulateCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'yunlian — real-time invoice analytics for the Yangtze Delta demonstration zone (云链通)',
    '',
    'Usage: yunlian <command> [options]      yunlian <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD,',
    '  YUNLIAN_DATA_DIR (default ./.yunlian), YUNLIAN_HTTP_PORT (8080), YUNLIAN_CLICKHOUSE_PORT (8123), YUNLIAN_API_TOKEN',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`yunlian: unknown command '${name}'\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage.trim()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`yunlian ${name}: ${error.message}\n\n${command.usage.trim()}\n`);
      return 2;
    }
    if (error instanceof YunlianError) {
      process.stderr.write(`yunlian ${name}: ${error.message}${error.code ? ` [${error.code}]` : ''}\n`);
      return 1;
    }
    throw error;
  }
}
