/**
 * The `accord` command line: `accord forecast --input history.csv --horizon 18 --output forecast.csv`,
 * and `accord admin-token --rotate` / `accord encryption-key --rotate` (src/cli/secrets.ts).
 */
import { parseArgs } from 'node:util';
import { InputError, runForecast } from './forecast.js';
import { runSecretsCommand, SECRETS_USAGE, UsageError } from './secrets.js';

const USAGE = `usage: accord forecast --input history.csv [--horizon 18] [--season 12] [--output forecast.csv|-]
${SECRETS_USAGE}

  input   CSV with columns series,period,value (period YYYY-MM)
  output  CSV with columns series,period,p10,p50,p90,method (default: forecast.csv; - for stdout)`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'admin-token' || command === 'encryption-key') {
    try {
      runSecretsCommand(command, rest, process.env, (line) => process.stdout.write(`${line}\n`));
    } catch (err) {
      if (err instanceof UsageError) fail(err.message);
      throw err;
    }
    return;
  }
  if (command !== 'forecast') fail(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        input: { type: 'string', short: 'i' },
        output: { type: 'string', short: 'o', default: 'forecast.csv' },
        horizon: { type: 'string', short: 'h', default: '18' },
        season: { type: 'string', default: '12' },
      },
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (!values.input) fail(`--input is required\n${USAGE}`);
  const horizon = Number(values.horizon);
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 60)
    fail('--horizon must be a whole number of months, 1 to 60');
  const season = Number(values.season);
  if (!Number.isInteger(season) || season < 1 || season > 52)
    fail('--season must be a whole number, 1 to 52');

  const tty = process.stderr.isTTY;
  let lastDraw = 0;
  const started = Date.now();
  try {
    const result = await runForecast({
      input: values.input,
      output: values.output,
      horizon,
      season,
      warn: (l) => process.stderr.write(`${tty ? '\n' : ''}warning: ${l}\n`),
      progress: (done, total) => {
        if (total < 500) return;
        const now = Date.now();
        if (now - lastDraw < 200 && done !== total) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round((done / total) * width);
        const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} series`;
        process.stderr.write(tty ? `\r${bar}` : `${bar}\n`);
      },
    });
    if (tty) process.stderr.write('\n');
    process.stderr.write(
      `forecast ${result.series} series x ${horizon} months -> ${values.output === '-' ? 'stdout' : values.output} (${result.rows} rows, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  } catch (err) {
    if (err instanceof InputError) {
      fail(
        `${err.message}:\n${err.problems
          .slice(0, 50)
          .map((p) => `  ${p}`)
          .join('\n')}${err.problems.length > 50 ? `\n  ... and ${err.problems.length - 50} more` : ''}`,
        1,
      );
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      fail(`cannot read ${values.input}: no such file`, 1);
    throw err;
  }
}
