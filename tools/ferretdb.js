/**
 * The embedded MongoDB-compatible server for development and tests: FerretDB 1.24.2 over SQLite,
 * built from the Go module proxy by the small program in tools/ferretdb (a plain `go install` of
 * FerretDB's cmd panics at start), cached by content hash under `<dataDir>/bin`, listening on
 * 127.0.0.1 with telemetry off. The child exits when its stdin closes, so it never outlives us.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const FERRETDB_VERSION = 'v1.24.2';

/** The repository root, whether running from tools/ (tests) or dist/tools/ (built). */
/** @returns {string} */
export function repoRoot() {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (
      existsSync(path.join(dir, 'package.json')) &&
      existsSync(path.join(dir, 'tools', 'ferretdb', 'main.go'))
    )
      return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the Accord repository root (tools/ferretdb/main.go)');
}

export class EmbeddedDbError extends Error {}

/**
 * Fixes applied to FerretDB's source at build time (a patched copy of the module the build is
 * pointed at; the module cache untouched). Each must match exactly once, or the build stops.
 *
 * - The SQLite backend's `_id` index: it is created on `_ferretdb_sjson->"_id"` while every lookup
 *   by `_id` filters on `_ferretdb_sjson->'$._id'`; SQLite uses an expression index only for the
 *   same expression, so every find, update and delete by `_id` scanned and parsed every document
 *   of its collection (a 1-row find took 0.4 s in a collection of 60 documents of 100 KB). The
 *   index is created on the expression the lookups use. Collections created before keep the old
 *   index (their lookups stay scans): a new data directory gets the fast one.
 */
const PATCHES = [
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    find: 'columns[i] = fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))',
    replace:
      'columns[i] = fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))\n\t\t\tif key.Field == "_id" {\n\t\t\t\tcolumns[i] = IDColumn\n\t\t\t}',
  },
];

/** @param {string} srcDir */
function sourceHash(srcDir) {
  const h = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) h.update(readFileSync(path.join(srcDir, f)));
  h.update(JSON.stringify(PATCHES));
  return h.digest('hex').slice(0, 12);
}

/**
 * A copy of FerretDB's module with the patches applied, and a go.mod that builds against it
 * (Go refuses overlays of files in its module cache).
 * @param {string} srcDir
 * @param {string} workDir
 * @returns {string} the go.mod to build with (`-modfile`)
 */
function patchedModule(srcDir, workDir) {
  const listed = spawnSync(
    'go',
    ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`],
    {
      cwd: srcDir,
      encoding: 'utf8',
      env: process.env,
    },
  );
  if (listed.status !== 0)
    throw new EmbeddedDbError(
      `cannot download FerretDB ${FERRETDB_VERSION}: ${listed.stderr || listed.stdout}`,
    );
  const moduleDir = /** @type {{ Dir: string }} */ (JSON.parse(listed.stdout)).Dir;
  const copy = path.join(workDir, 'FerretDB');
  rmSync(workDir, { recursive: true, force: true });
  cpSync(moduleDir, copy, { recursive: true });
  for (const p of PATCHES) {
    const file = path.join(copy, p.file);
    const text = readFileSync(file, 'utf8');
    if (text.split(p.find).length !== 2)
      throw new EmbeddedDbError(`the FerretDB patch for ${p.file} does not apply to ${FERRETDB_VERSION}`);
    chmodSync(file, 0o644);
    writeFileSync(file, text.replace(p.find, p.replace));
  }
  const modfile = path.join(workDir, 'go.mod');
  writeFileSync(
    modfile,
    `${readFileSync(path.join(srcDir, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`,
  );
  writeFileSync(path.join(workDir, 'go.sum'), readFileSync(path.join(srcDir, 'go.sum')));
  return modfile;
}

/** Builds the tool once per source version; later calls return the cached binary at once. */
/**
 * @param {{ cacheDir: string, onProgress?: (line: string) => void }} opts
 * @returns {Promise<string>} the path of the binary
 */
export async function ensureFerretDbBinary(opts) {
  const srcDir = path.join(repoRoot(), 'tools', 'ferretdb');
  const binDir = path.join(opts.cacheDir, 'bin');
  const binary = path.join(binDir, `accord-ferretdb-${FERRETDB_VERSION}-${sourceHash(srcDir)}`);
  if (existsSync(binary)) return binary;

  const go = spawnSync('go', ['version'], { encoding: 'utf8', env: process.env });
  if (go.error || go.status !== 0) {
    throw new EmbeddedDbError(
      'Accord needs a database. Either set MONGODB_URI to a MongoDB 7+ (or FerretDB) server, ' +
        'or install Go 1.24+ (https://go.dev/dl/) so that Accord can build its embedded FerretDB ' +
        `${FERRETDB_VERSION} on first start.`,
    );
  }
  mkdirSync(binDir, { recursive: true });
  const progress = opts.onProgress ?? (() => undefined);
  progress(
    `building the embedded database (FerretDB ${FERRETDB_VERSION}) with ${go.stdout.trim()}; the first build takes a minute or two`,
  );
  const tmp = `${binary}.${process.pid}.tmp`;
  const modfile = patchedModule(srcDir, `${tmp}.src`);
  let built = 0;
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      const child = spawn(
        'go',
        ['build', '-mod=readonly', '-trimpath', '-v', `-modfile=${modfile}`, '-o', tmp, '.'],
        {
          cwd: srcDir,
          env: { ...process.env, CGO_ENABLED: '0' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      /** @type {string[]} */
      const tail = [];
      /** @param {string} line */
      const onLine = (line) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        // `go build -v` names each package as it compiles it.
        if (/^[\w.-]+(\/[\w.@-]+)+$/.test(line.trim())) {
          built++;
          if (built % 25 === 0) progress(`  compiled ${built} packages (${line.trim()})`);
        } else if (line.startsWith('go: downloading')) {
          progress(`  ${line.trim()}`);
        }
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve();
        else
          reject(
            new EmbeddedDbError(
              `building the embedded database failed (go build exit ${code}):\n${tail.join('\n')}`,
            ),
          );
      });
    })
  );
  renameSync(tmp, binary);
  rmSync(`${tmp}.src`, { recursive: true, force: true });
  progress(
    `  built ${path.relative(process.cwd(), binary)}${built ? ` (${built} packages compiled)` : " (from Go's build cache)"}`,
  );
  return binary;
}

/** @typedef {{ uri: string, stop(): Promise<void> }} EmbeddedDb */

/** Starts the server on 127.0.0.1 (port 0 picks a free one) with its SQLite files in `dataDir` (0700, files 0600). */
/**
 * @param {{ binary: string, dataDir: string, port?: number, logLevel?: string }} opts
 * @returns {Promise<EmbeddedDb>}
 */
export async function startFerretDb(opts) {
  // The database files are the owner's alone: the directory 0700, what is in it without group or
  // other access, and the server started with umask 077 so that the files it creates are 0600.
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(opts.dataDir, 0o700);
  for (const name of readdirSync(opts.dataDir)) {
    const file = path.join(opts.dataDir, name);
    chmodSync(file, statSync(file).mode & 0o700);
  }
  const umask = process.umask(0o077);
  let child;
  try {
    child = spawn(
      opts.binary,
      ['-data', opts.dataDir, '-port', String(opts.port ?? 0), '-log-level', opts.logLevel ?? 'error'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, DO_NOT_TRACK: '1', FERRETDB_TELEMETRY: 'disable' },
      },
    );
  } finally {
    process.umask(umask);
  }
  /** @type {string[]} */
  const stderr = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 50) stderr.shift();
  });
  const uri = await /** @type {Promise<string>} */ (
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new EmbeddedDbError(`the embedded database did not start in 30 s:\n${stderr.join('\n')}`)),
        30_000,
      );
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = /^ready (mongodb:\/\/\S+)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(/** @type {string} */ (m[1]));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new EmbeddedDbError(`the embedded database exited (code ${code}):\n${stderr.join('\n')}`));
      });
    })
  );
  /** @type {Promise<void> | null} */
  let stopped = null;
  return {
    uri,
    stop() {
      stopped ??= new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(undefined);
        child.once('exit', () => resolve(undefined));
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      });
      return stopped;
    },
  };
}
