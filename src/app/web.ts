/**
 * Signing in to the web app without any outside account: a one-time link, sent by chat (`/sop web`
 * in Slack, `web` in Teams), printed for the demo org at start, or made by a process owner for a
 * member who has no chat (to send by email). The link opens a page with a "Sign in" button: only
 * that POST uses it (chat and mail previews fetch links, and must not spend them). A session is a
 * random secret in an HttpOnly cookie; the store keeps only hashes of links and sessions.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { Actor, MemberRecord, OrgRecord } from './records.js';
import type { Deps } from './ports.js';

export const SIGN_IN_LINK_MINUTES = 15;
export const SESSION_DAYS = 7;
export const SESSION_COOKIE = 'accord_session';

const secret = () => randomBytes(32).toString('base64url');
const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const TOKEN_SHAPE = /^[\w-]{43}$/;

/** A path inside the web app to return to after signing in; anything else is the board. */
export function safeReturnTo(path: unknown): string | null {
  return typeof path === 'string' && /^\/app(\/[\w\-./%?=&]*)?$/.test(path) && !path.includes('//')
    ? path
    : null;
}

/** A one-time sign-in link for a member of an org, valid SIGN_IN_LINK_MINUTES. */
export async function webSignInLink(
  deps: Pick<Deps, 'web' | 'members' | 'links' | 'audit' | 'clock'>,
  orgId: string,
  memberId: string,
  actor: Actor,
  returnTo: string | null = null,
): Promise<{ url: string; expiresAt: Date; member: MemberRecord }> {
  const member = await deps.members.get(orgId, memberId);
  if (!member) throw new DomainError('not_found', 'no such member in this org');
  const now = deps.clock.now();
  const token = secret();
  const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_MINUTES * 60_000);
  await deps.web.putSignIn(hashOf(token), {
    orgId,
    memberId,
    csrf: null,
    returnTo: safeReturnTo(returnTo),
    expiresAt,
    createdAt: now,
  });
  await deps.audit.append(
    orgId,
    { actor, action: 'web.sign-in-link', entity: { type: 'member', id: memberId } },
    now,
  );
  return { url: deps.links.url(`/app/sign-in/${token}`), expiresAt, member };
}

export interface WebSession {
  org: OrgRecord;
  member: MemberRecord;
  /** The token each form of this session carries. */
  csrf: string;
}

/** Uses a sign-in link: a new session (its cookie value) and where to go; refused when expired, used or unknown. */
export async function signIn(
  deps: Pick<Deps, 'web' | 'members' | 'orgs' | 'audit' | 'clock'>,
  token: string,
): Promise<{ cookie: string; session: WebSession; returnTo: string; expiresAt: Date }> {
  const now = deps.clock.now();
  const unusable = new DomainError(
    'forbidden',
    'This sign-in link has been used or is not valid. Ask Accord for a new one: /sop web in Slack, web in Teams.',
  );
  if (!TOKEN_SHAPE.test(token)) throw unusable;
  const link = await deps.web.useSignIn(hashOf(token), now);
  if (!link) throw unusable;
  if (link.expiresAt.getTime() <= now.getTime())
    throw new DomainError(
      'forbidden',
      `This sign-in link expired (links last ${SIGN_IN_LINK_MINUTES} minutes). Ask Accord for a new one: /sop web in Slack, web in Teams.`,
    );
  const [org, member] = await Promise.all([
    deps.orgs.get(link.orgId),
    deps.members.get(link.orgId, link.memberId),
  ]);
  if (!org || !member) throw unusable;
  const cookie = secret();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  const csrf = secret();
  await deps.web.putSession(hashOf(cookie), {
    orgId: org.id,
    memberId: member.id,
    csrf,
    returnTo: null,
    expiresAt,
    createdAt: now,
  });
  await deps.audit.append(
    org.id,
    {
      actor: { type: 'member', id: member.id },
      action: 'web.signed-in',
      entity: { type: 'member', id: member.id },
    },
    now,
  );
  return { cookie, session: { org, member, csrf }, returnTo: link.returnTo ?? '/app', expiresAt };
}

/** The session behind a cookie value, or null (unknown, expired, or its member is gone). */
export async function webSession(
  deps: Pick<Deps, 'web' | 'members' | 'orgs' | 'clock'>,
  cookie: string | undefined,
): Promise<WebSession | null> {
  if (!cookie || !TOKEN_SHAPE.test(cookie)) return null;
  const s = await deps.web.session(hashOf(cookie));
  if (!s || !s.csrf || s.expiresAt.getTime() <= deps.clock.now().getTime()) return null;
  const [org, member] = await Promise.all([deps.orgs.get(s.orgId), deps.members.get(s.orgId, s.memberId)]);
  return org && member ? { org, member, csrf: s.csrf } : null;
}

/** Ends this session, or (`everywhere`) every session of its member, on every browser. */
export async function signOut(
  deps: Pick<Deps, 'web'>,
  cookie: string | undefined,
  everywhere: WebSession | null = null,
): Promise<void> {
  if (everywhere) await deps.web.endSessionsOf(everywhere.org.id, everywhere.member.id);
  else if (cookie && TOKEN_SHAPE.test(cookie)) await deps.web.endSession(hashOf(cookie));
}

/** Whether a form's token is this session's (constant time). */
export function csrfMatches(session: WebSession, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
