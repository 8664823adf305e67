/**
 * Security headers on every response (the API, pack.html, charts, the Slack endpoints): a CSP that
 * allows no script at all, no framing and nothing from elsewhere, nosniff, no referrer (signed
 * links carry their signature in the URL), HSTS. A document (pack.html) gets its own CSP that also
 * allows exactly its inline <style> blocks, by hash.
 */
import { createHash } from 'node:crypto';
import helmet from 'helmet';

const DIRECTIVES = {
  defaultSrc: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: DIRECTIVES },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** The CSP for an HTML document Accord renders: the common one, plus its <style> blocks by hash. */
export function documentCsp(html: string): string {
  const hashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`,
  );
  const directives: Record<string, string[]> = {
    ...DIRECTIVES,
    ...(hashes.length ? { styleSrc: hashes } : {}),
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
    .join('; ');
}
