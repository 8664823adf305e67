/**
 * The web app (`/app/...`): server-rendered pages on Accord's express server for the process owner's
 * console and for people without chat. Every page runs the same steps: the session (a cookie from a
 * one-time sign-in link) -> CSRF on every POST -> the role -> one use case (the same ones chat and
 * the API call) -> a handlebars page, or a redirect after a change (POST-redirect-GET).
 * Every query is scoped to the session's org: no org id is ever taken from the URL.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import type { Deps } from '../app/ports.js';
import {
  csrfMatches,
  safeReturnTo,
  SESSION_COOKIE,
  SESSION_DAYS,
  signIn,
  signOut,
  webSession,
  type WebSession,
} from '../app/web.js';
import { DomainError } from '../domain/errors.js';
import type { Role } from '../domain/people.js';
import type { Logger } from '../logger.js';
import { loadPages, type RenderPage } from './views.js';

/** What a page handler gets. */
export interface WebContext {
  deps: Deps;
  session: WebSession;
  req: Request;
  res: Response;
  params: Record<string, string>;
  /** The query string, one value per name (the first). */
  query: Record<string, string>;
  /** A form's fields, trimmed; a name sent several times (checkboxes) is in `lists`. */
  body: Record<string, string>;
  lists: Record<string, string[]>;
}

export type WebResult =
  /** A page (status 200 unless said: a form sent back with its errors is 400). */
  | { page: string; title: string; data?: object; status?: number }
  /** After a change: go there, with a one-line notice shown on the next page. */
  | { redirect: string; notice?: string }
  /** A response of its own (a document, a chart image), sent as is, with its own CSP when given. */
  | { body: string | Buffer; contentType: string; csp?: string };

export interface WebRoute {
  method: 'get' | 'post';
  /** Express path under /app, e.g. `/app/decisions/:decisionId`. */
  path: string;
  /** The role this page needs, beyond being a member (the API's rule for the same use case). */
  role?: Role;
  /** The navigation entry this page belongs to (highlighted in the menu). */
  nav?: NavKey;
  handler(ctx: WebContext): Promise<WebResult>;
}

export const webRoute = (r: WebRoute): WebRoute => r;

export type NavKey =
  | 'board'
  | 'inputs'
  | 'pack'
  | 'ballots'
  | 'decisions'
  | 'actions'
  | 'follow-through'
  | 'soe'
  | 'health'
  | 'admin';

const NAV: { key: NavKey; label: string; href: string; role?: Role }[] = [
  { key: 'board', label: 'Cycle', href: '/app/board' },
  { key: 'inputs', label: 'My inputs', href: '/app/inputs' },
  { key: 'pack', label: 'Pack', href: '/app/pack' },
  { key: 'ballots', label: 'Ballots', href: '/app/ballots' },
  { key: 'decisions', label: 'Decisions', href: '/app/decisions' },
  { key: 'actions', label: 'Actions', href: '/app/actions' },
  { key: 'follow-through', label: 'Follow-through', href: '/app/follow-through' },
  { key: 'soe', label: 'S&OE', href: '/app/soe' },
  { key: 'health', label: 'Health', href: '/app/health' },
  { key: 'admin', label: 'Admin', href: '/app/admin', role: 'process-owner' },
];

/**
 * The web app's CSP: scripts and styles from Accord only (no inline script or style), images from
 * Accord or data: URLs, forms posting to Accord only, never framed.
 */
export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const RETURN_COOKIE = 'accord_return';
const NOTICE_COOKIE = 'accord_notice';

function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    try {
      out[name] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      // a cookie that is not ours
    }
  }
  return out;
}

function setCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds: number): void {
  const flags = [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/app',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (req.secure) flags.push('Secure');
  res.append('Set-Cookie', flags.join('; '));
}

function firstValues(src: unknown): { one: Record<string, string>; lists: Record<string, string[]> } {
  const one: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  if (src && typeof src === 'object') {
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const all = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
      lists[k] = all.map((x) => x.trim());
      one[k] = lists[k][0] ?? '';
    }
  }
  return { one, lists };
}

const STATUS: Record<string, number> = { not_found: 404, forbidden: 403, validation_failed: 400 };

export function createWebRouter(opts: {
  deps: Deps;
  rootDir: string;
  logger: Logger;
  routes: WebRoute[];
}): Router {
  const { deps, logger } = opts;
  const render: RenderPage = loadPages(path.join(opts.rootDir, 'templates', 'web'));
  const router = express.Router();

  router.use('/app/assets', express.static(path.join(opts.rootDir, 'public', 'web'), { maxAge: '1h' }));
  router.use('/app', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', WEB_CSP);
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use('/app', express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 500 }));

  const send = (
    req: Request,
    res: Response,
    status: number,
    page: string,
    title: string,
    data: object,
    session: WebSession | null,
    nav?: NavKey,
  ) => {
    const notice = cookies(req)[NOTICE_COOKIE];
    if (notice) setCookie(req, res, NOTICE_COOKIE, '', 0);
    const viewer = session
      ? {
          id: session.member.id,
          name: session.member.name,
          timezone: session.member.timezone,
          roles: session.member.roles,
          isProcessOwner: session.member.roles.includes('process-owner'),
        }
      : null;
    const html = render(page, {
      ...data,
      title,
      viewer,
      org: session ? { name: session.org.name, timezone: session.org.timezone } : null,
      csrf: session?.csrf ?? null,
      notice: notice ?? null,
      nav: session
        ? NAV.filter((n) => !n.role || session.member.roles.includes(n.role)).map((n) => ({
            ...n,
            current: n.key === nav,
          }))
        : [],
    });
    res.status(status).type('html').send(html);
  };

  const fail = (req: Request, res: Response, err: unknown, session: WebSession | null) => {
    if (err instanceof DomainError) {
      const status = STATUS[err.code] ?? 409;
      send(
        req,
        res,
        status,
        'error',
        status === 404 ? 'Not found' : 'Not possible',
        {
          message: err.message,
          fields: Object.entries(err.fields).map(([field, problem]) => ({ field, problem })),
        },
        session,
      );
      return;
    }
    const ref = randomBytes(4).toString('hex');
    logger.error({ err, ref, path: req.path }, 'web page failed');
    send(
      req,
      res,
      500,
      'error',
      'Something went wrong',
      {
        message: `Accord could not show this page (reference ${ref}). Try again in a moment.`,
        fields: [],
      },
      session,
    );
  };

  // Signing in: the link opens a page with a button; the POST spends the link (previews only GET).
  router.get('/app/sign-in/:token', (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    send(req, res, 200, 'sign-in', 'Sign in to Accord', { token: req.params['token'] }, null);
  });
  // A form sent from another site (a browser names the page's origin): this server as it is reached,
  // or as ACCORD_PUBLIC_URL names it (behind a proxy that does not pass on the scheme or host).
  const publicOrigin = new URL(deps.links.url('/')).origin;
  const fromElsewhere = (req: Request) => {
    const origin = req.get('origin');
    return (
      !!origin &&
      origin !== 'null' &&
      origin !== `${req.protocol}://${req.get('host')}` &&
      origin !== publicOrigin
    );
  };

  router.post('/app/sign-in/:token', async (req, res) => {
    try {
      // Signing someone in from another site (into the sender's account) is refused too.
      if (fromElsewhere(req))
        throw new DomainError('forbidden', 'Open the sign-in link itself and press Sign in there.');
      const out = await signIn(deps, String(req.params['token']));
      setCookie(req, res, SESSION_COOKIE, out.cookie, SESSION_DAYS * 86_400);
      const back = safeReturnTo(cookies(req)[RETURN_COOKIE]);
      if (back) setCookie(req, res, RETURN_COOKIE, '', 0);
      res.redirect(303, out.returnTo !== '/app' ? out.returnTo : (back ?? '/app'));
    } catch (err) {
      fail(req, res, err, null);
    }
  });

  const sessionOf = (req: Request) => webSession(deps, cookies(req)[SESSION_COOKIE]);

  router.post('/app/sign-out', async (req, res) => {
    const session = await sessionOf(req);
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (session && csrfMatches(session, form['_csrf'])) {
      await signOut(deps, cookies(req)[SESSION_COOKIE], form['everywhere'] === '1' ? session : null);
    }
    setCookie(req, res, SESSION_COOKIE, '', 0);
    res.redirect(303, '/app/signed-out');
  });
  router.get('/app/signed-out', (req, res) => {
    send(req, res, 200, 'signed-out', 'Signed out', { signedOut: true }, null);
  });
  router.get('/app', (_req, res) => res.redirect(303, '/app/board'));

  for (const r of opts.routes) {
    router[r.method](r.path, async (req: Request, res: Response) => {
      let session: WebSession | null = null;
      try {
        session = await sessionOf(req);
        if (!session) {
          if (r.method === 'get') {
            const back = safeReturnTo(req.originalUrl);
            if (back) setCookie(req, res, RETURN_COOKIE, back, 30 * 60);
          }
          send(req, res, 401, 'signed-out', 'Sign in to Accord', { signedOut: false }, null);
          return;
        }
        const { one: query } = firstValues(req.query);
        const { one: body, lists } = firstValues(req.body);
        if (r.method === 'post') {
          if (!csrfMatches(session, body['_csrf']) || fromElsewhere(req)) {
            send(
              req,
              res,
              403,
              'error',
              'Form expired',
              {
                message:
                  'This form could not be checked (it is from another page, or from before you signed in again). Go back, reload the page and send it again.',
                fields: [],
              },
              session,
            );
            return;
          }
        }
        if (r.role && !session.member.roles.includes(r.role))
          throw new DomainError('forbidden', `Only a ${r.role.replace('-', ' ')} can use this page.`);
        const out = await r.handler({
          deps,
          session,
          req,
          res,
          params: req.params as Record<string, string>,
          query,
          body,
          lists,
        });
        if ('body' in out) {
          if (out.csp) res.setHeader('Content-Security-Policy', out.csp);
          res.status(200).type(out.contentType).send(out.body);
          return;
        }
        if ('redirect' in out) {
          if (out.notice) setCookie(req, res, NOTICE_COOKIE, out.notice.slice(0, 300), 60);
          res.redirect(303, out.redirect);
          return;
        }
        send(req, res, out.status ?? 200, out.page, out.title, out.data ?? {}, session, r.nav);
      } catch (err) {
        fail(req, res, err, session);
      }
    });
  }
  return router;
}
