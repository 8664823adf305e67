/**
 * The `accord` command line: `accord forecast --input history.csv --horizon 18 --output forecast.csv`
 * (src/cli/forecast.ts; `accord forecast --help`),
 * and `accord admin-token --rotate` / `accord encryption-key --rotate` (src/cli/secrets.ts).
 */
import { FORECAST_USAGE, InputError, parseForecastArgs, runForecast } from './forecast.js';
import { runSecretsCommand, SECRETS_USAGE, UsageError } from './secrets.js';

const USAGE = `${FORECAST_USAGE}

${SECRETS_USAGE}`;

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
  if (command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== 'forecast') fail(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
  const args = parseForecastArgs(rest);
  if (args.kind === 'help') {
    process.stdout.write(`${args.text}\n`);
    return;
  }
  if (args.kind === 'error') fail(args.message);

  const tty = process.stderr.isTTY;
  let lastDraw = 0;
  const started = Date.now();
  try {
    const result = await runForecast({
      input: args.input,
      output: args.output,
      horizon: args.horizon,
      season: args.season,
      method: args.method,
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
      `forecast ${result.series} series x ${args.horizon} months -> ${args.output === '-' ? 'stdout' : args.output} (${result.rows} rows, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
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
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') fail(`cannot read ${args.input}: no such file`, 1);
    throw err;
  }
}
