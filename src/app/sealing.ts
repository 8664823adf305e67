/**
 * Secrets kept in the database (chat installation tokens) are sealed with AES-256-GCM. Each sealed
 * value names the key that sealed it (`enc:v1:<keyId>:<iv>:<tag>:<ciphertext>`), so a new key can
 * take over while the previous ones still open older values; the record's id is the associated
 * data, so a sealed value copied onto another record does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface Key {
  /** Derived from the key itself (a SHA-256 prefix): nothing to configure beside the key. */
  id: string;
  key: Buffer;
}

/** The current key seals; the previous ones only open what they sealed. */
export interface Keyring {
  current: Key;
  previous: Key[];
}

const PREFIX = 'enc:v1:';

export function keyFrom(raw: Buffer): Key {
  if (raw.length !== 32) throw new Error('an encryption key is 32 bytes');
  return { id: createHash('sha256').update(raw).digest('hex').slice(0, 12), key: raw };
}

/** A key given as base64 (or base64url); null when it is not 32 bytes. */
export function parseKey(text: string): Key | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(t)) return null;
  const raw = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return raw.length === 32 ? keyFrom(raw) : null;
}

export function newKey(): Key {
  return keyFrom(randomBytes(32));
}

export function keyring(current: Key, previous: Key[] = []): Keyring {
  return { current, previous: previous.filter((k) => k.id !== current.id) };
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** The id of the key that sealed `value`. */
export function sealedWith(value: string): string {
  return value.slice(PREFIX.length).split(':')[0] ?? '';
}

export function seal(ring: Keyring, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [ring.current.id, iv, cipher.getAuthTag(), body].map((p) =>
    typeof p === 'string' ? p : p.toString('base64url'),
  );
  return `${PREFIX}${parts.join(':')}`;
}

export class SealError extends Error {}

/** Opens a sealed value; a SealError says which key is missing or that the value was altered. */
export function open(ring: Keyring, sealed: string, context: string): string {
  const [id, iv, tag, body] = sealed.slice(PREFIX.length).split(':');
  const key = [ring.current, ...ring.previous].find((k) => k.id === id);
  if (!key)
    throw new SealError(
      `sealed with key ${id}, which is not configured: add it to ACCORD_ENCRYPTION_KEYS_PREVIOUS`,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv ?? '', 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body ?? '', 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SealError(`the value sealed with key ${id} does not open: it was altered or moved`);
  }
}
