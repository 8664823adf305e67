/** The entry point: starts the service (src/service.ts) and stops it cleanly on SIGTERM/SIGINT. */
import { EmbeddedDbError } from '../tools/ferretdb.js';
import { ConfigError } from './config.js';
import { startService } from './service.js';

async function main(): Promise<void> {
  // Whatever Accord writes (data directory, secrets, temporary files) is its user's alone.
  process.umask(0o077);
  let service;
  try {
    service = await startService();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof EmbeddedDbError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { logger } = service;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining jobs and requests');
    await service.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Accord failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
