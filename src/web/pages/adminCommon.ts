/** What the admin pages share: the acting member, how the server's chat is set up, field errors. */
import type { Actor } from '../../app/records.js';
import type { WebContext } from '../app.js';

/** How this Accord's chat connections are configured (src/http/app.ts knows; the pages are told). */
export interface ChatSetup {
  /** Slack OAuth installs are configured: the install link works. */
  slackOAuth?: boolean;
  /** Microsoft Teams is configured: a connect code can be used. */
  teams?: boolean;
}

export const ID = /^[a-f0-9]{24}$/;

/** The signed-in process owner as the actor of a use case. */
export const actorOf = (ctx: WebContext): Actor => ({ type: 'member', id: ctx.session.member.id });

/** One problem per field: zod's (or a use case's) paths mapped to the form's field names, the first kept. */
export function fieldErrors(
  problems: { path: string; message: string }[],
  fieldOf: (path: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const field = fieldOf(p.path);
    out[field] ??= p.message;
  }
  return out;
}

/** A zod error's issues as `a.b.0` paths. */
export const zodProblems = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

/** A use case's `DomainError.fields` as paths. */
export const domainProblems = (fields: Record<string, string>) =>
  Object.entries(fields).map(([path, message]) => ({ path, message }));

/** An error count for the summary at the top of a form (0: none). */
export const problemCount = (errors: Record<string, string>) => Object.keys(errors).length;
