/**
 * Attendance and follow-through: response rates per member and per function across cycles (inputs
 * on time, late, missing), who attended each meeting of the cycle, and the follow-through measures
 * per cycle, and the meeting KPIs (items decided, deferred, escalated or not reached, time used
 * against the timeboxes, executive attendance, and their trend); each as a chart (the vega-lite ->
 * SVG pipeline) with its numbers in a table beside it.
 * The process owner records attendance for a meeting (present, absent, represented by a delegate)
 * through the API's recordAttendance.
 */
import {
  attendanceView,
  findMeeting,
  followThroughMetrics,
  recordAttendance,
  responseRates,
  type ResponseCounts,
} from '../../app/followThrough.js';
import { meetingKpisOf, meetingTitle } from '../../app/meetings.js';
import type { Deps } from '../../app/ports.js';
import { currentCycle } from '../../app/queries.js';
import type { AttendanceStatus, CycleRecord, MemberRecord } from '../../app/records.js';
import { DomainError } from '../../domain/errors.js';
import { renderSvg, stackedBarSpec, type StackedBarChart } from '../../render/charts.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { trusted } from '../views.js';

const MONTH = /^\d{4}-\d{2}$/;
const MEETING = /^([a-f0-9]{24})-(pre-sop|executive-sop)$/;
const ATTENDANCE: { value: AttendanceStatus; label: string }[] = [
  { value: 'present', label: 'Present' },
  { value: 'absent', label: 'Absent' },
  { value: 'represented', label: 'Represented by a delegate' },
];
const ANSWERS: Record<string, string> = {
  attending: 'Attending',
  declined: 'Declined',
  delegate: 'Sending a delegate',
};

const RESPONSE_SERIES = [
  { key: 'onTime', label: 'On time', colour: '#4c78a8' },
  { key: 'late', label: 'Late', colour: '#f58518' },
  { key: 'missing', label: 'Missing', colour: '#e45756' },
  { key: 'notDue', label: 'Not yet due', colour: '#bab0ac' },
];

/** Rendered charts by their spec: the same numbers give the same SVG (each render takes ~50-150 ms). */
const rendered = new Map<string, string>();
const CACHE_SIZE = 64;

const attr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A chart as accessible SVG: role="img" with a name (the numbers are in the table beside it). */
export async function chartSvg(chart: StackedBarChart, label: string): Promise<{ toHTML(): string }> {
  const spec = stackedBarSpec(chart);
  const key = JSON.stringify(spec);
  let svg = rendered.get(key);
  if (svg === undefined) {
    svg = await renderSvg(spec);
    if (rendered.size >= CACHE_SIZE) rendered.delete(rendered.keys().next().value!);
    rendered.set(key, svg);
  }
  // One image with one name: vega's own roles on the marks inside are dropped (they would be
  // images without a text of their own; the numbers are in the table beside the chart).
  const plain = svg.replace(/\s(?:role|aria-roledescription|aria-label)="[^"]*"/g, '');
  return trusted(plain.replace(/^<svg\b/, `<svg role="img" aria-label="${attr(label)}" focusable="false"`));
}

async function cycleOf(ctx: WebContext, cycles: CycleRecord[], month: string | undefined) {
  if (!month) return (await currentCycle(ctx.deps, ctx.session.org)) ?? null;
  const c = MONTH.test(month) ? cycles.find((x) => x.month === month) : undefined;
  if (!c) throw new DomainError('not_found', 'There is no cycle for this month in your organisation.');
  return c;
}

interface AttendanceForm {
  meetingId: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

async function page(
  ctx: WebContext,
  month: string | undefined,
  form: AttendanceForm | null,
): Promise<WebResult> {
  const { deps, session } = ctx;
  const orgId = session.org.id;
  const cycles = (await deps.cycles.list(orgId, { limit: 100, after: null })).items.sort((a, b) =>
    b.month.localeCompare(a.month),
  );
  const cycle = await cycleOf(ctx, cycles, month);
  const cycleLinks = cycles.map((c) => ({ month: c.month, current: c.id === cycle?.id }));
  if (!cycle) return { page: 'follow-through', title: 'Follow-through', data: { cycle: null, cycleLinks } };
  const [rates, attendance, metrics, members, kpis] = await Promise.all([
    responseRates(deps, orgId, { upTo: cycle.month }),
    attendanceView(deps, orgId, cycle.id),
    followThroughMetrics(deps, orgId),
    deps.members.all(orgId),
    meetingKpisOf(deps, orgId),
  ]);
  const meetingKpis = kpis.perMeeting.map((k) => ({
    ...k,
    title: meetingTitle(k.step, k.cycleMonth),
  }));
  const trendMonths = [
    ...new Set([...kpis.trend.executiveAttendance, ...kpis.trend.decidedShare].map((x) => x.cycleMonth)),
  ].sort();
  const meetingTrend = trendMonths.map((month) => ({
    month,
    executiveAttendance: kpis.trend.executiveAttendance.find((x) => x.cycleMonth === month)?.share ?? null,
    decidedShare: kpis.trend.decidedShare.find((x) => x.cycleMonth === month)?.share ?? null,
  }));
  const isOwner = session.member.roles.includes('process-owner');
  const span = rates.cycles.length
    ? rates.cycles.length === 1
      ? `cycle ${rates.cycles[0]!.month}`
      : `cycles ${rates.cycles[0]!.month} to ${rates.cycles.at(-1)!.month}`
    : 'no cycle';

  const counts = (r: ResponseCounts) => ({
    onTime: r.onTime,
    late: r.late,
    missing: r.missing,
    notDue: r.notDue,
  });
  const responseChart = (title: string, rows: { name: string; counts: Record<string, number> }[]) =>
    rows.length
      ? chartSvg(
          {
            title,
            axisTitle: 'Inputs',
            categories: rows.map((r) => r.name),
            series: RESPONSE_SERIES,
            values: Object.fromEntries(rows.map((r) => [r.name, r.counts])),
          },
          `${title}: a bar per row of the table below, split into inputs on time, late, missing and not yet due.`,
        )
      : Promise.resolve(null);

  // Names can repeat: the chart's rows carry a number when they do.
  const unique = (names: string[]) => {
    const seen = new Map<string, number>();
    return names.map((n) => {
      const k = (seen.get(n) ?? 0) + 1;
      seen.set(n, k);
      return k > 1 ? `${n} (${k})` : n;
    });
  };
  const memberNames = unique(rates.members.map((m) => m.name));
  const meetings = attendance.meetings.map((m) => {
    const counts = {
      present: m.invitees.filter((i) => i.attendance === 'present').length,
      represented: m.invitees.filter((i) => i.attendance === 'represented').length,
      absent: m.invitees.filter((i) => i.attendance === 'absent').length,
      unrecorded: m.invitees.filter((i) => i.attendance === null).length,
    };
    return { ...m, counts };
  });
  const byId = new Map(members.map((m) => [m.id, m]));
  const delegatesOf = (id: string) =>
    members.filter((m: MemberRecord) => m.delegation?.of === id).sort((a, b) => a.name.localeCompare(b.name));

  const [functionSvg, memberSvg, attendanceSvg, followSvg, meetingSvg] = await Promise.all([
    responseChart(
      'Inputs per function',
      rates.functions.map((f) => ({ name: f.function, counts: counts(f) })),
    ),
    responseChart(
      'Inputs per member',
      rates.members.map((m, i) => ({ name: memberNames[i]!, counts: counts(m) })),
    ),
    chartSvg(
      {
        title: `Attendance, cycle ${cycle.month}`,
        axisTitle: 'Invitees',
        categories: meetings.map((m) => m.title),
        series: [
          { key: 'present', label: 'Present', colour: '#4c78a8' },
          { key: 'represented', label: 'Represented', colour: '#72b7b2' },
          { key: 'absent', label: 'Absent', colour: '#e45756' },
          { key: 'unrecorded', label: 'Not recorded', colour: '#bab0ac' },
        ],
        values: Object.fromEntries(meetings.map((m) => [m.title, m.counts])),
      },
      `Attendance per meeting of cycle ${cycle.month}: present, represented, absent and not recorded; the numbers are in the table below.`,
    ),
    metrics.cycles.length
      ? chartSvg(
          {
            title: 'Actions per cycle',
            axisTitle: 'Actions',
            categories: metrics.cycles.map((c) => c.month),
            series: [
              { key: 'onTime', label: 'Done on time', colour: '#4c78a8' },
              { key: 'late', label: 'Done late', colour: '#f58518' },
              { key: 'overdue', label: 'Overdue', colour: '#e45756' },
              { key: 'other', label: 'Not yet due or cancelled', colour: '#bab0ac' },
            ],
            values: Object.fromEntries(
              metrics.cycles.map((c) => [
                c.month,
                {
                  onTime: c.doneOnTime,
                  late: c.done - c.doneOnTime,
                  overdue: c.overdue,
                  other: c.actions - c.done - c.overdue,
                },
              ]),
            ),
          },
          'Actions per cycle: done on time, done late, overdue, and not yet due or cancelled; the numbers are in the table below.',
        )
      : Promise.resolve(null),
    meetingKpis.length
      ? chartSvg(
          {
            title: 'Agenda items per meeting',
            axisTitle: 'Items',
            categories: meetingKpis.map((k) => k.title),
            series: [
              { key: 'decided', label: 'Decided', colour: '#4c78a8' },
              { key: 'deferred', label: 'Deferred', colour: '#f58518' },
              { key: 'escalated', label: 'Escalated', colour: '#b279a2' },
              { key: 'notReached', label: 'Not reached', colour: '#bab0ac' },
            ],
            values: Object.fromEntries(
              meetingKpis.map((k) => [
                k.title,
                {
                  decided: k.decided,
                  deferred: k.deferred,
                  escalated: k.escalated,
                  notReached: k.notReached,
                },
              ]),
            ),
          },
          'Agenda items per meeting: decided, deferred, escalated and not reached; the numbers are in the table below.',
        )
      : Promise.resolve(null),
  ]);

  return {
    page: 'follow-through',
    title: `Follow-through, cycle ${cycle.month}`,
    status: form ? 400 : 200,
    data: {
      cycle: { id: cycle.id, month: cycle.month },
      cycleLinks,
      isOwner,
      span,
      functions: rates.functions,
      members: rates.members,
      functionSvg,
      memberSvg,
      attendanceSvg,
      followSvg,
      meetings: meetings.map((m) => {
        const editing = form && form.meetingId === m.id ? form : null;
        return {
          id: m.id,
          title: m.title,
          start: m.start,
          counts: m.counts,
          invitees: m.invitees.map((i) => {
            const status = editing ? (editing.values[`status-${i.memberId}`] ?? '') : (i.attendance ?? '');
            const delegate = editing
              ? (editing.values[`delegate-${i.memberId}`] ?? '')
              : (i.delegateId ?? '');
            return {
              memberId: i.memberId,
              name: i.name,
              answered: i.answered ? (ANSWERS[i.answered] ?? i.answered) : null,
              attendance: ATTENDANCE.find((a) => a.value === i.attendance)?.label ?? null,
              delegate: i.delegateId ? (byId.get(i.delegateId)?.name ?? 'a former member') : null,
              delegateHasAuthority: i.delegateHasAuthority,
              statuses: ATTENDANCE.map((a) => ({ ...a, selected: a.value === status })),
              delegates: delegatesOf(i.memberId).map((d) => ({
                value: d.id,
                label: d.name,
                selected: d.id === delegate,
              })),
              statusError: editing?.errors[`status-${i.memberId}`] ?? null,
              delegateError: editing?.errors[`delegate-${i.memberId}`] ?? null,
            };
          }),
          form: editing ? { problems: Object.keys(editing.errors).length } : null,
        };
      }),
      metrics: metrics.cycles.map((c) => ({ ...c, doneLate: c.done - c.doneOnTime })),
      meetingKpis,
      meetingTrend,
      meetingSvg,
      overall: metrics.overall,
    },
  };
}

async function record(ctx: WebContext): Promise<WebResult> {
  const { deps, session, params, body } = ctx;
  const meetingId = params['meetingId'] ?? '';
  const match = MEETING.exec(meetingId);
  const cycle = match ? await deps.cycles.get(session.org.id, match[1]!) : null;
  if (!match || !cycle) throw new DomainError('not_found', 'There is no such meeting in your organisation.');
  const meeting = await findMeeting(deps, session.org.id, meetingId);
  const values: Record<string, string> = {};
  const records: { memberId: string; status: AttendanceStatus; delegateId?: string }[] = [];
  const errors: Record<string, string> = {};
  for (const id of meeting.invitees) {
    const status = body[`status-${id}`] ?? '';
    const delegate = body[`delegate-${id}`] ?? '';
    values[`status-${id}`] = status;
    values[`delegate-${id}`] = delegate;
    if (!status) continue;
    if (!ATTENDANCE.some((a) => a.value === status)) {
      errors[`status-${id}`] = 'Choose from the list.';
      continue;
    }
    records.push({
      memberId: id,
      status: status as AttendanceStatus,
      ...(status === 'represented' && delegate ? { delegateId: delegate } : {}),
    });
  }
  const first = meeting.invitees[0];
  if (!records.length && !Object.keys(errors).length && first)
    errors[`status-${first}`] = 'Choose who was present, absent or represented.';
  if (Object.keys(errors).length) return page(ctx, cycle.month, { meetingId, values, errors });
  try {
    await recordAttendance(deps, session.org.id, meetingId, { actorId: session.member.id, records });
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    for (const [k, v] of Object.entries(err.fields)) {
      const m = /^records\.(\d+)\.(memberId|delegateId)$/.exec(k);
      const r = m ? records[Number(m[1])] : undefined;
      if (r) errors[`${m![2] === 'delegateId' ? 'delegate' : 'status'}-${r.memberId}`] = v;
    }
    if (!Object.keys(errors).length && first) errors[`status-${first}`] = err.message;
    return page(ctx, cycle.month, { meetingId, values, errors });
  }
  return {
    redirect: `/app/follow-through?cycle=${cycle.month}#meeting-${meetingId}`,
    notice: `Attendance recorded for ${meeting.title} (${records.length} ${records.length === 1 ? 'person' : 'people'}).`,
  };
}

export function followThroughPages(_deps: Deps): WebRoute[] {
  return [
    webRoute({
      method: 'get',
      path: '/app/follow-through',
      nav: 'follow-through',
      handler: (ctx) => page(ctx, ctx.query['cycle'] || undefined, null),
    }),
    webRoute({
      method: 'post',
      path: '/app/meetings/:meetingId/attendance',
      nav: 'follow-through',
      role: 'process-owner',
      handler: record,
    }),
  ];
}
