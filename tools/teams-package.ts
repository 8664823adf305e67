/**
 * The Microsoft Teams app package: manifest/teams/manifest.json (a template with ${{...}} placeholders)
 * filled in, its bot command lists regenerated from CHAT_COMMANDS, validated offline against the
 * manifest schema bundled in @microsoft/app-manifest plus the rules the schema leaves out, the icons
 * checked, and manifest.json, color.png and outline.png zipped flat into dist/accord-teams.zip.
 *
 *   TEAMS_CLIENT_ID=<GUID> ACCORD_PUBLIC_URL=https://accord.example.com npm run teams:package
 *   npm run teams:package -- --template    (rewrite the committed template's command lists only)
 *
 * Every problem found is listed and the process exits 1 without writing the zip.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHAT_COMMANDS, type ChatCommand } from '../src/cards/commands.js';
import { readPng, pngSize } from './png.js';
import { COLOR_SIZE, OUTLINE_SIZE, teamsAppDir } from './teams-icons.js';
import { zipOf } from './zip.js';

export const MANIFEST_VERSION = '1.22';
export const SCHEMA_URL = `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;
/** The files of the package, in the zip's order; the icons' names are also the manifest's. */
export const PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png'] as const;
/**
 * Bot command limits Accord keeps: the ones Teams documents for earlier manifest versions (title 32,
 * description 128: one line in the command menu). The 1.22 schema alone would allow 128 and 4000.
 */
export const COMMAND_TITLE_MAX = 32;
export const COMMAND_DESCRIPTION_MAX = 128;
/** The scopes that get a command list (one list per scope, as Teams asks). */
export const COMMAND_SCOPES = ['personal', 'team'] as const;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;
const PLACEHOLDER = /\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g;

export type TeamsManifest = Record<string, unknown> & {
  $schema?: string;
  manifestVersion?: string;
  version?: string;
  id?: string;
  bots?: TeamsBot[];
};
interface TeamsBot {
  botId?: string;
  scopes?: string[];
  commandLists?: { scopes: string[]; commands: { title: string; description: string }[] }[];
  [key: string]: unknown;
}

export interface TeamsPackageOptions {
  /** The Entra (Azure AD) app registration's client id: the Teams app id and the bot id. */
  clientId: string;
  /** Accord's public https URL (ACCORD_PUBLIC_URL): its host goes into validDomains, it prefixes the URLs. */
  publicUrl: string;
  /** The app's version (semver x.y.z); the template's when absent. Teams wants it raised for each update. */
  version?: string;
  /** Where manifest.json, color.png and outline.png are read (manifest/teams). */
  dir?: string;
  /** The zip to write (dist/accord-teams.zip under the repository). */
  out?: string;
}

/** What is wrong with a package, one line per problem. */
export class TeamsPackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`the Teams app package is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TeamsPackageError';
  }
}

/** The bot's command lists for the manifest: one per scope in COMMAND_SCOPES, each all of CHAT_COMMANDS. */
export function teamsCommandLists(
  commands: readonly ChatCommand[] = CHAT_COMMANDS,
): { scopes: string[]; commands: { title: string; description: string }[] }[] {
  return COMMAND_SCOPES.map((scope) => ({
    scopes: [scope],
    commands: commands.map((c) => ({ title: c.command, description: c.description })),
  }));
}

/** The template with its bot's command lists regenerated (what the committed manifest.json must hold). */
export function withCommandLists(manifest: TeamsManifest, commands?: readonly ChatCommand[]): TeamsManifest {
  const copy = structuredClone(manifest);
  const bot = copy.bots?.[0];
  if (bot) bot.commandLists = teamsCommandLists(commands);
  return copy;
}

export function readTemplate(dir: string = teamsAppDir()): TeamsManifest {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as TeamsManifest;
}

/** TEAMS_CLIENT_ID and ACCORD_PUBLIC_URL from the environment; throws naming the variable that is wrong. */
export function teamsPackageOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TeamsPackageOptions {
  const problems: string[] = [];
  const clientId = env['TEAMS_CLIENT_ID']?.trim() ?? '';
  if (!clientId)
    problems.push(
      'TEAMS_CLIENT_ID is not set: the Application (client) ID of the Entra app registration behind the Azure bot',
    );
  else if (!GUID.test(clientId))
    problems.push(
      `TEAMS_CLIENT_ID must be a GUID such as 00000000-0000-0000-0000-000000000000, got "${clientId}"`,
    );
  const publicUrl = env['ACCORD_PUBLIC_URL']?.trim() ?? '';
  if (!publicUrl)
    problems.push(
      "ACCORD_PUBLIC_URL is not set: Accord's public https URL (its host goes into the manifest's validDomains)",
    );
  else {
    const problem = publicUrlProblem(publicUrl);
    if (problem) problems.push(`ACCORD_PUBLIC_URL ${problem}`);
  }
  if (problems.length > 0) throw new TeamsPackageError(problems);
  return { clientId, publicUrl };
}

function publicUrlProblem(publicUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return `must be a URL such as https://accord.example.com, got "${publicUrl}"`;
  }
  if (url.protocol !== 'https:')
    return `must be an https URL (Teams and the Bot Framework reach Accord over https only), got "${publicUrl}"`;
  if (url.search || url.hash || url.username || url.password)
    return `must be a plain https URL without credentials, query or fragment, got "${publicUrl}"`;
  return undefined;
}

/**
 * The manifest to package: the template with ${{TEAMS_CLIENT_ID}}, ${{ACCORD_PUBLIC_HOST}} and
 * ${{ACCORD_PUBLIC_URL}} substituted, the command lists regenerated and the version set. Placeholders
 * it does not know are left for validateTeamsManifest to report.
 */
export function buildTeamsManifest(opts: TeamsPackageOptions & { template?: TeamsManifest }): TeamsManifest {
  const template = opts.template ?? readTemplate(opts.dir);
  const problem = publicUrlProblem(opts.publicUrl);
  if (problem) throw new TeamsPackageError([`the public URL ${problem}`]);
  const url = new URL(opts.publicUrl);
  const values: Record<string, string> = {
    TEAMS_CLIENT_ID: opts.clientId,
    ACCORD_PUBLIC_HOST: url.host,
    ACCORD_PUBLIC_URL: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
  };
  // Substitute in the parsed strings (not the JSON text), so no value can break the JSON.
  const fill = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.replace(PLACEHOLDER, (all, name: string) => values[name] ?? all)
      : Array.isArray(v)
        ? v.map(fill)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]))
          : v;
  const manifest = withCommandLists(fill(template) as TeamsManifest);
  if (opts.version !== undefined) manifest.version = opts.version;
  return manifest;
}

let schemaPromise: Promise<unknown> | undefined;

/**
 * The 1.22 schema from inside @microsoft/app-manifest. Its fetchSchema reads the bundled copy when
 * it has one and goes to the network otherwise, so the file is checked first: never a download.
 */
function bundledSchema(lib: AppManifestLib): Promise<unknown> {
  const file = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest')),
    'json-schemas',
    'teams',
    `v${MANIFEST_VERSION}`,
    'MicrosoftTeams.schema.json',
  );
  if (!existsSync(file)) throw new Error(`@microsoft/app-manifest has no bundled schema at ${file}`);
  schemaPromise ??= lib.AppManifestUtils.fetchSchema(SCHEMA_URL);
  return schemaPromise;
}

interface AppManifestLib {
  AppManifestUtils: {
    fetchSchema(url: string): Promise<unknown>;
    validateAgainstSchema(manifest: unknown, schema?: unknown): Promise<string[]>;
  };
}

async function appManifestLib(): Promise<AppManifestLib> {
  // CommonJS, loaded on first use: it takes ~100 ms and only packaging needs it.
  const mod = (await import('@microsoft/app-manifest')) as unknown as AppManifestLib & {
    default?: AppManifestLib;
  };
  return mod.AppManifestUtils ? mod : mod.default!;
}

/**
 * Every problem with a manifest, [] when there is none: the 1.22 JSON schema (validated offline by
 * @microsoft/app-manifest, which lists each violation with its JSON pointer) and what the schema
 * does not say: the $schema URL, a semver app version, a bot, the documented bot command limits,
 * and no ${{...}} placeholder left unsubstituted.
 */
export async function validateTeamsManifest(manifest: TeamsManifest): Promise<string[]> {
  const lib = await appManifestLib();
  const problems = await lib.AppManifestUtils.validateAgainstSchema(manifest, await bundledSchema(lib));
  if (manifest.$schema !== SCHEMA_URL)
    problems.push(
      `/$schema must be ${SCHEMA_URL} (the package is checked against that version), got ${String(manifest.$schema)}`,
    );
  if (typeof manifest.version === 'string' && !SEMVER.test(manifest.version))
    problems.push(
      `/version must be a semver version such as 1.0.0 (major.minor.patch), got "${manifest.version}"`,
    );
  const bots = Array.isArray(manifest.bots) ? manifest.bots : [];
  if (bots.length === 0) problems.push('/bots must declare the Accord bot (bots[0].botId)');
  bots.forEach((bot, b) =>
    (Array.isArray(bot.commandLists) ? bot.commandLists : []).forEach((list, l) =>
      (Array.isArray(list.commands) ? list.commands : []).forEach((c, i) => {
        const at = `/bots/${b}/commandLists/${l}/commands/${i}`;
        if (typeof c.title === 'string' && c.title.length > COMMAND_TITLE_MAX)
          problems.push(
            `${at}/title "${c.title}" is ${c.title.length} characters, over the ${COMMAND_TITLE_MAX} a command title may have`,
          );
        if (typeof c.description === 'string' && c.description.length > COMMAND_DESCRIPTION_MAX)
          problems.push(
            `${at}/description (command "${c.title}") is ${c.description.length} characters, over the ${COMMAND_DESCRIPTION_MAX} a command description may have`,
          );
      }),
    ),
  );
  const left = new Set([...JSON.stringify(manifest).matchAll(PLACEHOLDER)].map((m) => m[1]));
  for (const name of left) problems.push(`the placeholder \${{${name}}} was not substituted`);
  return problems;
}

/** Problems with color.png (192x192) and outline.png (32x32, only white and transparent) in dir. */
export function checkIcons(dir: string = teamsAppDir()): string[] {
  const problems: string[] = [];
  const expect = { 'color.png': COLOR_SIZE, 'outline.png': OUTLINE_SIZE } as const;
  for (const [name, side] of Object.entries(expect)) {
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      problems.push(`${name} is missing from ${dir} (npm run teams:icons makes it)`);
      continue;
    }
    const png = readFileSync(file);
    const size = pngSize(png);
    if (typeof size === 'string') {
      problems.push(`${name} ${size}`);
      continue;
    }
    if (size.width !== side || size.height !== side) {
      problems.push(`${name} is ${size.width}x${size.height}; Teams wants ${side}x${side}`);
      continue;
    }
    if (name !== 'outline.png') continue;
    let rgba: Buffer;
    try {
      rgba = readPng(png).rgba;
    } catch (err) {
      problems.push(`outline.png cannot be read to check its colours: ${(err as Error).message}`);
      continue;
    }
    let coloured = 0;
    for (let i = 0; i < rgba.length; i += 4)
      if (rgba[i + 3]! > 0 && (rgba[i] !== 255 || rgba[i + 1] !== 255 || rgba[i + 2] !== 255)) coloured++;
    if (coloured > 0)
      problems.push(
        `outline.png has ${coloured} pixels that are neither transparent nor white; Teams wants white (255,255,255) on transparent`,
      );
  }
  return problems;
}

/**
 * Build, check and zip the package. Throws TeamsPackageError with every problem found (and writes
 * nothing) when the manifest or the icons are not right.
 */
export async function packageTeamsApp(
  opts: TeamsPackageOptions,
): Promise<{ zip: string; manifest: TeamsManifest; bytes: number }> {
  const dir = opts.dir ?? teamsAppDir();
  const manifest = buildTeamsManifest({ ...opts, dir });
  const problems = [...(await validateTeamsManifest(manifest)), ...checkIcons(dir)];
  const icons = manifest['icons'] as { color?: unknown; outline?: unknown } | undefined;
  if (icons?.color !== 'color.png' || icons.outline !== 'outline.png')
    problems.push('/icons must name color.png and outline.png, the files the package holds');
  if (problems.length > 0) throw new TeamsPackageError(problems);
  const zip = zipOf(
    PACKAGE_FILES.map((name) => ({
      name,
      data:
        name === 'manifest.json'
          ? Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)
          : readFileSync(path.join(dir, name)),
    })),
  );
  const out = opts.out ?? path.join(dir, '..', '..', 'dist', 'accord-teams.zip');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, zip);
  return { zip: out, manifest, bytes: zip.length };
}

async function main(argv: string[]): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (line: string) => process.stderr.write(`${line}\n`);
  try {
    if (argv.includes('--template')) {
      const file = path.join(teamsAppDir(), 'manifest.json');
      // Formatted as the repository's prettier formats it, so format:check stays green.
      const prettier = await import('prettier');
      const json = JSON.stringify(withCommandLists(readTemplate()), null, 2);
      writeFileSync(
        file,
        await prettier.format(json, { ...(await prettier.resolveConfig(file)), filepath: file }),
      );
      say(`wrote the command lists of ${file} from CHAT_COMMANDS`);
      return 0;
    }
    const pkg = JSON.parse(readFileSync(path.join(teamsAppDir(), '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await packageTeamsApp({ ...teamsPackageOptionsFromEnv(), version: pkg.version });
    say(`wrote ${result.zip} (${result.bytes} bytes): manifest.json, color.png, outline.png`);
    say(`app id ${String(result.manifest.id)}, version ${String(result.manifest.version)}`);
    say(
      'upload it in Teams admin center (Manage apps > Upload new app) or Teams (Apps > Manage your apps > Upload an app)',
    );
    return 0;
  } catch (err) {
    if (err instanceof TeamsPackageError) {
      fail('teams:package: the package was not written:');
      for (const p of err.problems) fail(`  - ${p}`);
    } else fail(`teams:package: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
