/**
 * A person in the web app, over real HTTP: signed in through a real one-time link (made by the API's
 * `.../web-sign-in`, as a process owner would for someone without chat), cookies kept by a
 * supertest agent, and every form sent with the CSRF token of the page it came from.
 */
import { expect } from '@jest/globals';
import supertest from 'supertest';
import type { TestAccord } from './accord.js';
import type { OrgHandle } from './factories.js';

export interface Browser {
  agent: ReturnType<typeof supertest.agent>;
  /** GET a page; fails the test unless it answers `status`. */
  page(
    path: string,
    status?: number,
  ): Promise<{ status: number; text: string; headers: Record<string, string> }>;
  /** Sends a form the way a browser does (urlencoded), with the CSRF token of `from` (default: the same path). */
  submit(
    path: string,
    fields: Record<string, string | string[]>,
    from?: string,
  ): Promise<{ status: number; text: string; headers: Record<string, string> }>;
}

/** A sign-in link's path for a member (the API route a process owner uses). */
export async function signInLink(t: TestAccord, org: OrgHandle, memberId: string): Promise<string> {
  const res = await t.http.post(`/api/v1/orgs/${org.id}/members/${memberId}/web-sign-in`).set(org.auth);
  expect(res.status).toBe(201);
  return new URL(res.body.url).pathname;
}

export const csrfIn = (html: string): string => {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on this page');
  return m[1]!;
};

export function encodeForm(fields: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

export async function signedInBrowser(t: TestAccord, org: OrgHandle, memberId: string): Promise<Browser> {
  const agent = supertest.agent(t.accord.app);
  const link = await signInLink(t, org, memberId);
  expect((await agent.get(link)).status).toBe(200);
  const signed = await agent.post(link).type('form').send('');
  expect(signed.status).toBe(303);
  const page: Browser['page'] = async (path, status = 200) => {
    const res = await agent.get(path);
    if (res.status !== status)
      throw new Error(`GET ${path}: ${res.status}, wanted ${status}\n${res.text.slice(0, 2000)}`);
    return { status: res.status, text: res.text, headers: res.headers };
  };
  return {
    agent,
    page,
    async submit(path, fields, from) {
      const csrf = csrfIn((await agent.get(from ?? path)).text);
      const res = await agent
        .post(path)
        .type('form')
        .send(encodeForm({ _csrf: csrf, ...fields }));
      return { status: res.status, text: res.text, headers: res.headers };
    },
  };
}
