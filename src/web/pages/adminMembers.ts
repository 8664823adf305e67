/**
 * Admin: the org's members (roles, functions, time zone, quiet hours, delegation), adding and
 * changing one through the same use cases and zod schemas as the API, and a one-time sign-in link
 * for someone without chat (to send by email).
 */
import { addMember, updateMember, type MemberInput } from '../../app/members.js';
import type { Deps } from '../../app/ports.js';
import type { MemberRecord } from '../../app/records.js';
import { webSignInLink } from '../../app/web.js';
import { DomainError } from '../../domain/errors.js';
import { ROLES } from '../../domain/people.js';
import { memberInput, memberPatch } from '../../http/schemas.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { actorOf, domainProblems, fieldErrors, ID, problemCount, zodProblems } from './adminCommon.js';

const ROLE_LABELS: Record<(typeof ROLES)[number], string> = {
  'process-owner': 'Process owner',
  'functional-leader': 'Functional leader',
  executive: 'Executive',
};

interface MemberValues {
  name: string;
  email: string;
  timezone: string;
  roles: string[];
  functions: string[];
  quietStart: string;
  quietEnd: string;
  delegationOf: string;
  authority: boolean;
}

/** A form's field for a use case's or zod's path. */
function fieldOf(path: string): string {
  if (path.startsWith('functions')) return 'functions';
  if (path.startsWith('roles')) return 'roles';
  if (path === 'quietHours.start') return 'quietStart';
  if (path === 'quietHours.end' || path.startsWith('quietHours')) return 'quietEnd';
  if (path.startsWith('delegation')) return 'delegationOf';
  return ['name', 'email', 'timezone'].includes(path) ? path : 'name';
}

async function memberOf(ctx: WebContext): Promise<MemberRecord> {
  const id = ctx.params['memberId'] ?? '';
  const m = ID.test(id) ? await ctx.deps.members.get(ctx.session.org.id, id) : null;
  if (!m) throw new DomainError('not_found', 'There is no such member in your organisation.');
  return m;
}

const valuesOf = (m: MemberRecord): MemberValues => ({
  name: m.name,
  email: m.email,
  timezone: m.timezone,
  roles: [...m.roles],
  functions: [...m.functions],
  quietStart: m.quietHours.start,
  quietEnd: m.quietHours.end,
  delegationOf: m.delegation?.of ?? '',
  authority: m.delegation?.authority ?? false,
});

const sentValues = (ctx: WebContext): MemberValues => ({
  name: ctx.body['name'] ?? '',
  email: ctx.body['email'] ?? '',
  timezone: ctx.body['timezone'] ?? '',
  roles: ctx.lists['roles'] ?? [],
  functions: ctx.lists['functions'] ?? [],
  quietStart: ctx.body['quietStart'] ?? '',
  quietEnd: ctx.body['quietEnd'] ?? '',
  delegationOf: ctx.body['delegationOf'] ?? '',
  authority: ctx.body['authority'] === 'yes',
});

async function memberPage(
  ctx: WebContext,
  member: MemberRecord | null,
  values: MemberValues,
  errors: Record<string, string>,
  extra: { signInLink?: { url: string; expiresAt: Date } } = {},
): Promise<WebResult> {
  const { deps, session } = ctx;
  const everyone = await deps.members.all(session.org.id);
  const principals = everyone
    .filter((m) => m.id !== member?.id && m.delegation === null)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({ id: m.id, name: m.name, selected: m.id === values.delegationOf }));
  const problems = problemCount(errors);
  return {
    page: 'admin-member',
    title: member ? `Member: ${member.name}` : 'Add a member',
    status: problems ? 400 : 200,
    data: {
      editing: member ? { id: member.id, name: member.name, createdAt: member.createdAt } : null,
      action: member ? `/app/admin/members/${member.id}` : '/app/admin/members/new',
      values,
      errors,
      problems,
      roleOptions: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], checked: values.roles.includes(r) })),
      functionOptions: session.org.functions.map((f) => ({
        value: f,
        checked: values.functions.includes(f),
      })),
      principals,
      timezoneHint: member
        ? 'An IANA time zone such as Europe/Berlin.'
        : `An IANA time zone such as Europe/Berlin; blank: the organisation's (${session.org.timezone}).`,
      signInLink: extra.signInLink ?? null,
    },
  };
}

/** The form as the API's body: blank optional fields left out (a new member) or kept as they were. */
function inputFrom(v: MemberValues, adding: boolean): Record<string, unknown> {
  const input: Record<string, unknown> = {
    name: v.name,
    email: v.email,
    roles: v.roles,
    functions: v.functions,
  };
  if (v.timezone || !adding) input['timezone'] = v.timezone;
  if (v.quietStart || v.quietEnd || !adding) input['quietHours'] = { start: v.quietStart, end: v.quietEnd };
  input['delegation'] = v.delegationOf ? { of: v.delegationOf, authority: v.authority } : null;
  return input;
}

async function saveMember(ctx: WebContext, member: MemberRecord | null): Promise<WebResult> {
  const { deps, session } = ctx;
  const values = sentValues(ctx);
  const parsed = (member ? memberPatch : memberInput).safeParse(inputFrom(values, !member));
  if (!parsed.success)
    return memberPage(ctx, member, values, fieldErrors(zodProblems(parsed.error.issues), fieldOf));
  try {
    const saved = member
      ? await updateMember(deps, session.org.id, member.id, parsed.data, actorOf(ctx))
      : await addMember(deps, session.org.id, parsed.data as MemberInput, actorOf(ctx));
    return {
      redirect: '/app/admin/members',
      notice: member ? `${saved.name} changed.` : `${saved.name} added.`,
    };
  } catch (err) {
    if (!(err instanceof DomainError) || (err.code !== 'validation_failed' && err.code !== 'duplicate'))
      throw err;
    const errors = fieldErrors(domainProblems(err.fields), fieldOf);
    if (!problemCount(errors)) errors['name'] = err.message;
    return memberPage(ctx, member, values, errors);
  }
}

async function membersList(ctx: WebContext): Promise<WebResult> {
  const { deps, session } = ctx;
  const members = (await deps.members.all(session.org.id)).sort((a, b) => a.name.localeCompare(b.name));
  const names = new Map(members.map((m) => [m.id, m.name]));
  return {
    page: 'admin-members',
    title: 'Members',
    data: {
      members: members.map((m) => ({
        id: m.id,
        name: m.name,
        email: m.email,
        roles: m.roles.map((r) => ROLE_LABELS[r]),
        functions: m.functions,
        timezone: m.timezone,
        quietHours: m.quietHours,
        delegation: m.delegation
          ? {
              name: names.get(m.delegation.of) ?? 'someone no longer here',
              authority: m.delegation.authority,
            }
          : null,
        chat: [m.slackUserId ? 'Slack' : null, m.teamsUserId ? 'Teams' : null].filter(Boolean),
      })),
    },
  };
}

export function adminMemberPages(_deps: Deps): WebRoute[] {
  const base = { nav: 'admin', role: 'process-owner' } as const;
  const blank = (): MemberValues => ({
    name: '',
    email: '',
    timezone: '',
    roles: [],
    functions: [],
    quietStart: '',
    quietEnd: '',
    delegationOf: '',
    authority: false,
  });
  return [
    webRoute({ ...base, method: 'get', path: '/app/admin/members', handler: membersList }),
    webRoute({
      ...base,
      method: 'get',
      path: '/app/admin/members/new',
      handler: (ctx) => memberPage(ctx, null, blank(), {}),
    }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/members/new',
      handler: (ctx) => saveMember(ctx, null),
    }),
    webRoute({
      ...base,
      method: 'get',
      path: '/app/admin/members/:memberId',
      handler: async (ctx) => {
        const m = await memberOf(ctx);
        return memberPage(ctx, m, valuesOf(m), {});
      },
    }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/members/:memberId',
      handler: async (ctx) => saveMember(ctx, await memberOf(ctx)),
    }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/members/:memberId/sign-in-link',
      handler: async (ctx) => {
        const m = await memberOf(ctx);
        const link = await webSignInLink(ctx.deps, ctx.session.org.id, m.id, actorOf(ctx));
        // Shown once, on this page only: never in a redirect, a notice or a log.
        return memberPage(
          ctx,
          m,
          valuesOf(m),
          {},
          { signInLink: { url: link.url, expiresAt: link.expiresAt } },
        );
      },
    }),
  ];
}
