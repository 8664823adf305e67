/**
 * Slack workspaces and the orgs they serve. One workspace: `SLACK_BOT_TOKEN` (with `SLACK_ORG_ID`,
 * or the only org). Many workspaces: each is installed through OAuth from an install link that
 * Accord signs for one org (`POST /api/v1/orgs/{org}/slack/install-link`); the org travels in the
 * OAuth state as its metadata, and the installation is stored in MongoDB with that org.
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { Deps } from '../../src/app/ports.js';
import type { InstallationRecord, OrgRecord } from '../../src/app/records.js';

/** The scopes Accord asks for; the manifest lists the same. */
export const SLACK_SCOPES = ['chat:write', 'commands', 'users:read', 'users:read.email'] as const;

export function installationId(teamId: string | undefined | null, enterpriseId?: string | null): string {
  return `slack:${enterpriseId ?? '-'}:${teamId ?? '-'}`;
}

function queryId(q: InstallationQuery<boolean>): string {
  return q.isEnterpriseInstall
    ? installationId(null, q.enterpriseId)
    : installationId(q.teamId, q.enterpriseId);
}

export function mongoInstallationStore(deps: Pick<Deps, 'installations' | 'clock'>): InstallationStore {
  return {
    async storeInstallation(installation: Installation) {
      const id = installation.isEnterpriseInstall
        ? installationId(null, installation.enterprise?.id)
        : installationId(installation.team?.id, installation.enterprise?.id);
      const before = await deps.installations.get(id);
      const r: InstallationRecord = {
        id,
        platform: 'slack',
        teamId: installation.team?.id ?? null,
        enterpriseId: installation.enterprise?.id ?? null,
        teamName: installation.team?.name ?? installation.enterprise?.name ?? '',
        // A reinstall without an org link keeps the org it had.
        orgId: installation.metadata || before?.orgId || null,
        botToken: installation.bot?.token ?? '',
        botUserId: installation.bot?.userId ?? '',
        data: JSON.stringify(installation),
        installedAt: deps.clock.now(),
      };
      if (!r.botToken) throw new Error('the installation has no bot token: add a bot scope to the app');
      await deps.installations.put(r);
    },
    async fetchInstallation(q) {
      const r = await deps.installations.get(queryId(q));
      if (!r) throw new Error(`Accord is not installed in workspace ${q.teamId ?? q.enterpriseId ?? '?'}`);
      return JSON.parse(r.data) as Installation<'v1' | 'v2', boolean>;
    },
    async deleteInstallation(q) {
      await deps.installations.remove(queryId(q));
    },
  };
}

const CACHE_MS = 60_000;

export interface Workspaces {
  /** Drops what is cached about installations (after an install). */
  forget(): void;
  /** The OAuth installation serving this workspace, if any. */
  installation(teamId: string | undefined, enterpriseId?: string): Promise<InstallationRecord | null>;
  /** The org a request from this workspace acts on, or null when the workspace is not connected. */
  orgFor(teamId: string | undefined, enterpriseId?: string): Promise<OrgRecord | null>;
  /** The bot token to deliver an org's messages with, or null when the org has no workspace. */
  tokenFor(orgId: string): Promise<{ token: string; workspace: string } | null>;
}

export function workspaces(
  deps: Pick<Deps, 'installations' | 'orgs'>,
  single: { botToken?: string | undefined; orgId?: string | undefined },
): Workspaces {
  /** The single workspace's org: the configured one, else the only org there is. */
  const singleOrg = async (): Promise<OrgRecord | null> => {
    if (!single.botToken) return null;
    if (single.orgId) return deps.orgs.get(single.orgId);
    const page = await deps.orgs.list({ limit: 2, after: null });
    return page.items.length === 1 ? page.items[0]! : null;
  };
  // Every interaction is authorized before it is acked: the installations are read from memory
  // (60 s at most behind another process's install; this process's own installs at once).
  const cache = new Map<string, { at: number; record: InstallationRecord | null }>();
  const cached = async (id: string): Promise<InstallationRecord | null> => {
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.record;
    const record = await deps.installations.get(id);
    cache.set(id, { at: Date.now(), record });
    return record;
  };
  return {
    forget() {
      cache.clear();
    },
    async installation(teamId, enterpriseId) {
      // A team of an Enterprise Grid org may be stored with or without its enterprise; an org-wide
      // install under the enterprise alone.
      const ids = [
        ...(teamId ? [installationId(teamId, enterpriseId), installationId(teamId, null)] : []),
        ...(enterpriseId ? [installationId(null, enterpriseId)] : []),
      ];
      for (const id of new Set(ids)) {
        const found = await cached(id);
        if (found) return found;
      }
      return null;
    },
    async orgFor(teamId, enterpriseId) {
      const installed = await this.installation(teamId, enterpriseId);
      if (installed) return installed.orgId ? deps.orgs.get(installed.orgId) : null;
      return singleOrg();
    },
    async tokenFor(orgId) {
      const [installed] = await deps.installations.forOrg(orgId);
      if (installed) return { token: installed.botToken, workspace: installed.id };
      const org = await singleOrg();
      return org?.id === orgId && single.botToken ? { token: single.botToken, workspace: 'single' } : null;
    },
  };
}
