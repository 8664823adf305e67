/** Connects mongoose, registers the models, builds the indexes, and hands out the repositories. */
import mongoose, { type Connection } from 'mongoose';
import type { Deps } from '../src/app/ports.js';
import type { Keyring } from '../src/app/sealing.js';
import { ensureIndexes, registerModels, type Models } from './schemas.js';
import {
  auditLog,
  cycleRepo,
  datasetRepo,
  inputRequestRepo,
  memberRepo,
  orgRepo,
  outboxRepo,
  packRepo,
  forecastCacheRepo,
  packBuildRepo,
  ballotRepo,
  decisionRepo,
  actionRepo,
  attendanceRepo,
  meetingRepo,
  soeRepo,
  installationRepo,
  submissionRepo,
  teamsRepo,
  webTokenRepo,
} from './repositories.js';

export interface Database {
  conn: Connection;
  models: Models;
  repos: Omit<Deps, 'clock' | 'copy' | 'solver' | 'compute' | 'links' | 'documents' | 'minutesMarkdown'>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function connectDatabase(
  uri: string,
  dbName: string | undefined,
  options: { monitorCommands?: boolean; keyring: Keyring },
): Promise<Database> {
  const conn = mongoose.createConnection(uri, {
    ...(dbName ? { dbName } : {}),
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 10_000,
    monitorCommands: options.monitorCommands ?? false,
  });
  await conn.asPromise();
  const models = registerModels(conn);
  await ensureIndexes(models);
  return {
    conn,
    models,
    repos: {
      orgs: orgRepo(models),
      members: memberRepo(models),
      cycles: cycleRepo(models),
      requests: inputRequestRepo(models),
      submissions: submissionRepo(models),
      outbox: outboxRepo(models),
      audit: auditLog(models),
      datasets: datasetRepo(models),
      packs: packRepo(models),
      forecasts: forecastCacheRepo(models),
      packBuilds: packBuildRepo(models),
      ballots: ballotRepo(models),
      decisions: decisionRepo(models),
      actions: actionRepo(models),
      attendance: attendanceRepo(models),
      meetings: meetingRepo(models),
      soe: soeRepo(models),
      installations: installationRepo(models, options.keyring),
      teams: teamsRepo(models),
      web: webTokenRepo(models),
    },
    async ping() {
      try {
        await conn.db!.command({ ping: 1 }, { timeoutMS: 2_000 });
        return true;
      } catch {
        return false;
      }
    },
    close: () => conn.close(),
  };
}
