/**
 * The cycle's meetings: their settings (slot or "propose a time"), times and invitations (.ics),
 * changes of time and cancellations, time polls, the agenda and its edits, minutes (versioned,
 * searchable) and the meeting KPIs. The live meeting itself runs in chat (src/app/meetingButtons.ts).
 */
import { z } from 'zod';
import {
  cancelMeeting,
  cycleMeetingList,
  editAgenda,
  meetingAgenda,
  meetingIcs,
  meetingKpisOf,
  meetingMinutes,
  meetingView,
  openTimePoll,
  rescheduleMeeting,
  rewriteMinutes,
  searchMinutes,
  setMeetingSettings,
  meetingSetting,
  type MeetingView,
} from '../../app/meetings.js';
import { byTime, pageOf, pageRequest } from '../../app/paging.js';
import type { Deps } from '../../app/ports.js';
import type { MinutesRecord } from '../../app/records.js';
import { DomainError } from '../../domain/errors.js';
import { MEETING_STEPS } from '../../domain/meetings.js';
import { route } from '../route.js';
import { errorBody, instant, orgParams, pageQuery, SERIAL_NUMBER } from '../schemas.js';
import { requireOrg } from './orgs.js';

const objectId = z.string().regex(/^[a-f0-9]{24}$/);
const meetingId = z
  .string()
  .regex(/^[a-f0-9]{24}-(pre-sop|executive-sop)$/, 'must be <cycleId>-pre-sop or <cycleId>-executive-sop');
const meetingParams = orgParams.extend({ meetingId });
const actorId = z.string().min(1, 'name the member');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function meetingJson(orgId: string, v: MeetingView) {
  return {
    ...v,
    // Ids, as this list has always been; `people` has their names, zones and whether the time suits them.
    invitees: v.invitees.map((p) => p.id),
    people: v.invitees,
    start: iso(v.start),
    end: iso(v.end),
    ics: v.start || v.cancelled ? `/api/v1/orgs/${orgId}/meetings/${v.id}.ics` : null,
  };
}

function minutesJson(r: MinutesRecord) {
  return {
    meetingId: r.meetingId,
    cycleId: r.cycleId,
    version: r.version,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    minutes: r.minutes,
    markdown: r.markdown,
  };
}

const agendaEdit = z.discriminatedUnion('op', [
  z.object({ op: z.literal('move'), key: z.string().min(1), to: z.number().int() }),
  z.object({ op: z.literal('drop'), key: z.string().min(1), reason: z.string() }),
  z.object({ op: z.literal('restore'), key: z.string().min(1) }),
  z.object({
    op: z.literal('add'),
    key: z.string().min(1).max(60),
    title: z.string(),
    detail: z.string(),
    minutes: z.number().int(),
  }),
  z.object({ op: z.literal('timebox'), key: z.string().min(1), minutes: z.number().int() }),
]);

export function meetingRoutes(deps: Deps) {
  return [
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/meeting-settings',
      summary:
        "Each meeting's slot: business day of the step, local time, length, or propose a time that suits everyone",
      tag: 'meetings',
      auth: 'org',
      params: orgParams,
      responses: { 200: { description: '{pre-sop, executive-sop}' } },
      handler: async ({ params }) => {
        const org = await requireOrg(deps, params.orgId);
        return {
          status: 200,
          body: Object.fromEntries(MEETING_STEPS.map((s) => [s, meetingSetting(org, s)])),
        };
      },
    }),
    route({
      method: 'patch',
      path: '/api/v1/orgs/:orgId/meeting-settings',
      summary:
        "Sets a meeting's slot (process owner): {day: business day of the step (1 first, -1 the due day), time: HH:MM, minutes, propose}",
      tag: 'meetings',
      auth: 'org',
      params: orgParams,
      body: z.object({ actorId, meetings: z.record(z.string(), z.unknown()) }),
      responses: {
        200: { description: 'the settings' },
        400: { description: 'field errors', schema: errorBody },
      },
      handler: async ({ params, body }) => ({
        status: 200,
        body: await setMeetingSettings(deps, params.orgId, body),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/meetings',
      summary:
        "The cycle's pre-S&OP and executive S&OP meetings: time, how it was set, invitees, poll, live state",
      tag: 'meetings',
      auth: 'org',
      params: orgParams.extend({ cycleId: objectId }),
      query: pageQuery,
      responses: { 200: { description: 'a page: {items, next}' } },
      handler: async ({ params, query }) => {
        const list = await cycleMeetingList(deps, params.orgId, params.cycleId);
        const page = pageOf(
          list.map((x) => x.view),
          pageRequest(query),
          byTime((m) => [list.find((x) => x.view.id === m.id)!.meeting.start, m.id]),
        );
        return {
          status: 200,
          body: { items: page.items.map((m) => meetingJson(params.orgId, m)), next: page.next },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/meetings/:file',
      summary:
        'A meeting (<meetingId>): time, invitees (and whether it is in their working hours), poll, live state, changes; or its invitation as iCalendar (<meetingId>.ics: same UID, SEQUENCE per change, METHOD:CANCEL when cancelled)',
      tag: 'meetings',
      // The .ics is opened from chat through a signed link (no token); a link signs its own path only.
      auth: 'org-or-link',
      params: orgParams.extend({
        file: z
          .string()
          .regex(
            /^[a-f0-9]{24}-(pre-sop|executive-sop)(\.ics)?$/,
            'must be <cycleId>-<step> or <cycleId>-<step>.ics',
          ),
      }),
      query: z.object({ s: z.string().optional(), exp: z.string().optional(), sig: z.string().optional() }),
      responses: {
        200: { description: 'the meeting (JSON), or text/calendar' },
        404: { description: 'no such meeting', schema: errorBody },
        409: { description: 'no time yet (its poll is open)', schema: errorBody },
      },
      handler: async ({ params }) =>
        params.file.endsWith('.ics')
          ? {
              status: 200,
              body: await meetingIcs(deps, params.orgId, params.file.slice(0, -4)),
              contentType: 'text/calendar; charset=utf-8',
            }
          : {
              status: 200,
              body: meetingJson(params.orgId, await meetingView(deps, params.orgId, params.file)),
            },
    }),
    route({
      method: 'patch',
      path: '/api/v1/orgs/:orgId/meetings/:meetingId/time',
      summary:
        'Moves a meeting (process owner): invitees get the updated invitation (same UID, next SEQUENCE)',
      tag: 'meetings',
      auth: 'org',
      params: meetingParams,
      body: z.object({
        actorId,
        start: instant,
        minutes: z.number().int().optional(),
        reason: z.string().max(500),
      }),
      responses: {
        200: { description: 'the meeting' },
        400: { description: 'field errors', schema: errorBody },
      },
      handler: async ({ params, body }) => {
        await rescheduleMeeting(deps, params.orgId, params.meetingId, body);
        return {
          status: 200,
          body: meetingJson(params.orgId, await meetingView(deps, params.orgId, params.meetingId)),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/meetings/:meetingId/cancel',
      summary: 'Cancels a meeting (process owner): invitees get the cancellation (METHOD:CANCEL)',
      tag: 'meetings',
      auth: 'org',
      params: meetingParams,
      body: z.object({ actorId, reason: z.string().max(500) }),
      responses: {
        200: { description: 'the meeting' },
        400: { description: 'field errors', schema: errorBody },
      },
      handler: async ({ params, body }) => {
        await cancelMeeting(deps, params.orgId, params.meetingId, body);
        return {
          status: 200,
          body: meetingJson(params.orgId, await meetingView(deps, params.orgId, params.meetingId)),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/meetings/:meetingId/poll',
      summary: 'Opens a time poll among the invitees (process owner): the times that suit the most of them',
      tag: 'meetings',
      auth: 'org',
      params: meetingParams,
      body: z.object({ actorId }),
      responses: { 200: { description: 'the meeting' } },
      handler: async ({ params, body }) => {
        await openTimePoll(deps, params.orgId, params.meetingId, body.actorId);
        return {
          status: 200,
          body: meetingJson(params.orgId, await meetingView(deps, params.orgId, params.meetingId)),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/meetings/:meetingId/agenda',
      summary:
        "The agenda: the pack's trade-offs by money at stake, each with a timebox, recommendation and options; edits applied",
      tag: 'meetings',
      auth: 'org',
      params: meetingParams,
      responses: { 200: { description: '{items, dropped, overrun, minutes, packVersion, fixed}' } },
      handler: async ({ params }) => ({
        status: 200,
        body: await meetingAgenda(deps, params.orgId, params.meetingId),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/meetings/:meetingId/agenda',
      summary:
        'Edits the agenda until the meeting starts (process owner): move, drop (with a reason), restore, add, timebox',
      tag: 'meetings',
      auth: 'org',
      params: meetingParams,
      body: z.object({ actorId, edit: agendaEdit }),
      responses: {
        200: { description: 'the agenda' },
        400: { description: 'field errors', schema: errorBody },
      },
      handler: async ({ params, body }) => ({
        status: 200,
        body: await editAgenda(deps, params.orgId, params.meetingId, body),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/meetings/:meetingId/minutes',
      summary: "A meeting's minutes: the latest version, or ?version=N",
      tag: 'meetings',
      auth: 'org',
      params: meetingParams,
      query: z.object({ version: z.coerce.number().pipe(SERIAL_NUMBER).optional() }),
      responses: {
        200: { description: 'the minutes' },
        404: { description: 'no minutes yet', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const all = await meetingMinutes(deps, params.orgId, params.meetingId);
        const r = query.version ? all.find((x) => x.version === query.version) : all[all.length - 1];
        if (!r)
          throw new DomainError(
            'not_found',
            query.version
              ? `no version ${query.version} of these minutes`
              : 'this meeting has no minutes yet',
          );
        return {
          status: 200,
          body: {
            ...minutesJson(r),
            versions: all.map((x) => ({
              version: x.version,
              note: x.note,
              createdAt: x.createdAt.toISOString(),
            })),
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/meetings/:meetingId/minutes',
      summary:
        'Writes a new version of the minutes from what is recorded now (process owner), with a note saying what changed',
      tag: 'meetings',
      auth: 'org',
      params: meetingParams,
      body: z.object({ actorId, note: z.string().max(500) }),
      responses: {
        201: { description: 'the new version' },
        400: { description: 'field errors', schema: errorBody },
      },
      handler: async ({ params, body }) => ({
        status: 201,
        body: minutesJson(await rewriteMinutes(deps, params.orgId, params.meetingId, body)),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/minutes',
      summary: 'Minutes of every meeting (latest versions), newest first; ?q= keeps those with every word',
      tag: 'meetings',
      auth: 'org',
      params: orgParams,
      query: pageQuery.extend({ q: z.string().max(200).optional() }),
      responses: { 200: { description: 'a page: {items, next}' } },
      handler: async ({ params, query }) => {
        const page = pageOf(
          await searchMinutes(deps, params.orgId, query.q ?? ''),
          pageRequest(query),
          byTime((m) => [m.createdAt, m.id]),
          'desc',
        );
        return { status: 200, body: { items: page.items.map(minutesJson), next: page.next } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/metrics/meetings',
      summary:
        'Meeting KPIs: time per item vs timebox, items decided vs deferred, executive attendance over cycles',
      tag: 'meetings',
      auth: 'org',
      params: orgParams,
      responses: { 200: { description: '{perMeeting, trend}' } },
      handler: async ({ params }) => {
        await requireOrg(deps, params.orgId);
        return { status: 200, body: await meetingKpisOf(deps, params.orgId) };
      },
    }),
  ];
}
