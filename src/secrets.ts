/**
 * The secrets Accord keeps in its data directory, and the directory's modes. No token is kept in
 * clear: the generated admin token is shown once and only its SHA-256 stays
 * (`admin-token.sha256`). The link secret and the encryption key are generated once when the
 * environment does not give them. The directory is 0700 and every file in it 0600.
 */
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { keyring, newKey, parseKey, type Key, type Keyring } from './app/sealing.js';
import { hashToken } from './app/tokens.js';

export const SECRET_FILES = {
  adminTokenHash: 'admin-token.sha256',
  /** Where versions before 0.2 kept the admin token in clear; hashed and removed at start. */
  adminTokenClear: 'admin-token',
  linkSecret: 'link-secret',
  encryptionKey: 'encryption-key',
  encryptionKeysPrevious: 'encryption-keys.previous',
  demo: 'demo-org.json',
} as const;

/** What Accord keeps in its data directory: a directory holding anything else is not Accord's alone. */
const OWN_ENTRIES = new Set<string>([...Object.values(SECRET_FILES), 'bin', 'db', 'tmp']);

/**
 * Creates the data directory (0700) and takes group and other access off what Accord keeps in it.
 * A directory that also holds other things (ACCORD_DATA_DIR pointed at a home or a shared
 * directory) keeps its mode: the returned warning says so.
 */
export function secureDataDir(dir: string): string | null {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let warning: string | null = null;
  const others = readdirSync(dir).filter((e) => !OWN_ENTRIES.has(e) && !e.endsWith('.tmp'));
  if ((statSync(dir).mode & 0o077) === 0) {
    // already private
  } else if (others.length === 0) {
    chmodSync(dir, 0o700);
  } else {
    warning = `${dir} is open to other users and holds more than Accord's files (${others.slice(0, 3).join(', ')}); Accord keeps its own files private but leaves the directory's mode alone: give Accord a directory of its own`;
  }
  for (const name of Object.values(SECRET_FILES)) {
    const file = path.join(dir, name);
    if (existsSync(file)) chmodSync(file, 0o600);
  }
  // The cached database tool stays executable by its owner; the database's own files are
  // tightened by startFerretDb (tools/ferretdb.js).
  for (const sub of ['bin', 'db']) {
    const d = path.join(dir, sub);
    if (existsSync(d)) chmodSync(d, 0o700);
  }
  return warning;
}

/** Writes a file only its owner can read, atomically (a crash leaves the old one or the new one). */
export function writeSecretFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export interface AdminToken {
  /** SHA-256 (hex) of the token. */
  hash: string;
  source: 'env' | 'file';
  /** The token itself when this start generated it: shown once, kept nowhere. */
  created: string | null;
  /** A clear-text token file of an older version was hashed and removed. */
  migrated: boolean;
  /** Where the hash is kept. */
  file: string;
}

function newAdminToken(dataDir: string): string {
  const token = `adm_${randomBytes(32).toString('base64url')}`;
  writeSecretFile(path.join(dataDir, SECRET_FILES.adminTokenHash), `${hashToken(token)}\n`);
  return token;
}

/** The admin token: `ACCORD_ADMIN_TOKEN`, else the hash kept in the data directory, else a new one. */
export function adminToken(dataDir: string, fromEnv: string | undefined): AdminToken {
  const file = path.join(dataDir, SECRET_FILES.adminTokenHash);
  const clear = path.join(dataDir, SECRET_FILES.adminTokenClear);
  let migrated = false;
  if (existsSync(clear)) {
    const token = readFileSync(clear, 'utf8').trim();
    if (token && !existsSync(file)) writeSecretFile(file, `${hashToken(token)}\n`);
    rmSync(clear);
    migrated = true;
  }
  if (fromEnv) return { hash: hashToken(fromEnv), source: 'env', created: null, migrated, file };
  if (existsSync(file)) {
    const hash = readFileSync(file, 'utf8').trim();
    if (!/^[a-f0-9]{64}$/.test(hash))
      throw new Error(`${file} does not hold a SHA-256; delete it and start again for a new admin token`);
    return { hash, source: 'file', created: null, migrated, file };
  }
  const created = newAdminToken(dataDir);
  return { hash: hashToken(created), source: 'file', created, migrated, file };
}

/** A new admin token replaces the kept one (the running service takes it at its next start). */
export function rotateAdminToken(dataDir: string): string {
  secureDataDir(dataDir);
  rmSync(path.join(dataDir, SECRET_FILES.adminTokenClear), { force: true });
  return newAdminToken(dataDir);
}

/** The server's link secret: `ACCORD_LINK_SECRET`, else one generated once into the data directory. */
export function linkSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, SECRET_FILES.linkSecret);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  }
  const secret = randomBytes(32).toString('base64url');
  writeSecretFile(file, `${secret}\n`);
  return secret;
}

function readKeyFile(file: string): Key[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      const key = parseKey(line);
      if (!key) throw new Error(`${file}, line ${i + 1}: not a 32-byte base64 key`);
      return key;
    });
}

/**
 * The keys that seal chat installation secrets: the current one from `ACCORD_ENCRYPTION_KEY`, else
 * the key file (generated once); previous ones from `ACCORD_ENCRYPTION_KEYS_PREVIOUS`, the
 * previous-keys file, and the key file when the environment names another current key.
 */
export function encryptionKeyring(dataDir: string, fromEnv: Key | undefined, previous: Key[]): Keyring {
  const file = path.join(dataDir, SECRET_FILES.encryptionKey);
  const [fileKey] = readKeyFile(file);
  const older = readKeyFile(path.join(dataDir, SECRET_FILES.encryptionKeysPrevious));
  if (fromEnv) return keyring(fromEnv, [...previous, ...older, ...(fileKey ? [fileKey] : [])]);
  if (fileKey) return keyring(fileKey, [...previous, ...older]);
  const created = newKey();
  writeSecretFile(file, `${created.key.toString('base64')}\n`);
  return keyring(created, [...previous, ...older]);
}

/**
 * A new key in the key file; the old one moves to the previous-keys file, so the next start still
 * opens what it sealed and re-seals it with the new key.
 */
export function rotateEncryptionKey(dataDir: string): { keyId: string; previousKeyId: string | null } {
  secureDataDir(dataDir);
  const file = path.join(dataDir, SECRET_FILES.encryptionKey);
  const [old] = readKeyFile(file);
  if (old) {
    const prev = path.join(dataDir, SECRET_FILES.encryptionKeysPrevious);
    appendFileSync(prev, `${old.key.toString('base64')}\n`, { mode: 0o600 });
    chmodSync(prev, 0o600);
  }
  const created = newKey();
  writeSecretFile(file, `${created.key.toString('base64')}\n`);
  return { keyId: created.id, previousKeyId: old?.id ?? null };
}
