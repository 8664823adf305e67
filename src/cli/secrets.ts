/**
 * `accord admin-token --rotate` and `accord encryption-key --rotate`: new secrets in the data
 * directory (`ACCORD_DATA_DIR`, default .data). The new admin token is printed once; Accord takes
 * both at its next start (which also re-seals the chat installations with the new key).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { rotateAdminToken, rotateEncryptionKey } from '../secrets.js';

export const SECRETS_USAGE = `usage: accord admin-token --rotate      a new admin token (printed once; the old one stops at the next start)
       accord encryption-key --rotate   a new key for chat installation tokens (the old one is kept to re-seal them)`;

export class UsageError extends Error {}

export function runSecretsCommand(
  command: 'admin-token' | 'encryption-key',
  args: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
): void {
  let rotate: boolean | undefined;
  try {
    ({
      values: { rotate },
    } = parseArgs({ args, options: { rotate: { type: 'boolean' } } }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${SECRETS_USAGE}`);
  }
  if (!rotate) throw new UsageError(`--rotate is required\n${SECRETS_USAGE}`);
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (command === 'admin-token') {
    if (config.adminToken)
      throw new UsageError(
        'ACCORD_ADMIN_TOKEN is set: the admin token comes from the environment; change it there',
      );
    const token = rotateAdminToken(config.dataDir);
    out(`new admin token (shown once; only its SHA-256 is kept in ${config.dataDir}): ${token}`);
    out('restart Accord to use it; the old token stops working then');
    return;
  }
  if (config.encryptionKey)
    throw new UsageError(
      'ACCORD_ENCRYPTION_KEY is set: put the new key there and the old one in ACCORD_ENCRYPTION_KEYS_PREVIOUS',
    );
  const { keyId, previousKeyId } = rotateEncryptionKey(config.dataDir);
  out(
    `new encryption key ${keyId} in ${config.dataDir}${previousKeyId ? ` (the previous key ${previousKeyId} is kept to read what it sealed)` : ''}`,
  );
  out('restart Accord: it re-seals every chat installation with the new key at start');
}
