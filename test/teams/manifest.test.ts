/**
 * The Teams app package: the committed manifest template, filled in, passes the 1.22 schema (offline,
 * @microsoft/app-manifest) and Accord's own checks; broken manifests and icons are refused with the
 * problem named; the zip holds exactly manifest.json, color.png and outline.png, flat.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import yauzl from 'yauzl';
import { Resvg } from '@resvg/resvg-js';
import { CHAT_COMMANDS } from '../../src/cards/commands.js';
import { pngSize, readPng, writePng } from '../../tools/png.js';
import { ACCENT_COLOR, renderTeamsIcons, teamsAppDir } from '../../tools/teams-icons.js';
import {
  COMMAND_DESCRIPTION_MAX,
  SCHEMA_URL,
  TeamsPackageError,
  buildTeamsManifest,
  checkIcons,
  packageTeamsApp,
  readTemplate,
  teamsPackageOptionsFromEnv,
  validateTeamsManifest,
  withCommandLists,
  type TeamsManifest,
} from '../../tools/teams-package.js';

const CLIENT_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const PUBLIC_URL = 'https://accord.example.com/sop/';
const dir = teamsAppDir();
const built = () => buildTeamsManifest({ clientId: CLIENT_ID, publicUrl: PUBLIC_URL });

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'accord-teams-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function entryNames(zip: Buffer): Promise<{ name: string; data: Buffer }[]> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err) return reject(err);
      const out: { name: string; data: Buffer }[] = [];
      file.on('error', reject);
      file.on('end', () => resolve(out));
      file.on('entry', (entry: yauzl.Entry) =>
        file.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const parts: Buffer[] = [];
          stream.on('data', (c: Buffer) => parts.push(c));
          stream.on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(parts) });
            file.readEntry();
          });
        }),
      );
      file.readEntry();
    }),
  );
}

describe('the committed manifest', () => {
  test('filled in with test values, passes the 1.22 schema and the extra checks', async () => {
    const manifest = built();
    expect(await validateTeamsManifest(manifest)).toEqual([]);
    expect(manifest).toMatchObject({
      $schema: SCHEMA_URL,
      manifestVersion: '1.22',
      id: CLIENT_ID,
      name: { short: 'Accord' },
      accentColor: ACCENT_COLOR,
      icons: { color: 'color.png', outline: 'outline.png' },
      permissions: ['identity', 'messageTeamMembers'],
      validDomains: ['accord.example.com'],
      developer: {
        websiteUrl: 'https://accord.example.com/sop/',
        privacyUrl: 'https://accord.example.com/sop/privacy',
        termsOfUseUrl: 'https://accord.example.com/sop/terms',
      },
      bots: [
        {
          botId: CLIENT_ID,
          scopes: ['personal', 'team', 'groupChat'],
          supportsFiles: false,
          isNotificationOnly: false,
        },
      ],
    });
    expect(JSON.stringify(manifest)).not.toContain('${{');
  });

  test('its command lists (personal, team) are CHAT_COMMANDS, in the template as in the package', () => {
    const expected = CHAT_COMMANDS.map((c) => ({ title: c.command, description: c.description }));
    const template = readTemplate(dir);
    for (const m of [template, built()]) {
      expect(m.bots?.[0]?.commandLists).toEqual([
        { scopes: ['personal'], commands: expected },
        { scopes: ['team'], commands: expected },
      ]);
    }
    // `npm run teams:package -- --template` rewrites them when CHAT_COMMANDS changes.
    expect(withCommandLists(template)).toEqual(template);
  });

  test('a port in the public URL stays in the valid domain; the version can be set', () => {
    const m = buildTeamsManifest({
      clientId: CLIENT_ID,
      publicUrl: 'https://accord.example.com:8443',
      version: '2.3.4',
    });
    expect(m['validDomains']).toEqual(['accord.example.com:8443']);
    expect((m['developer'] as { privacyUrl: string }).privacyUrl).toBe(
      'https://accord.example.com:8443/privacy',
    );
    expect(m.version).toBe('2.3.4');
  });
});

describe('broken manifests are refused with the problem named', () => {
  test('no bot id', async () => {
    const m = built();
    delete m.bots![0]!.botId;
    const problems = await validateTeamsManifest(m);
    expect(problems).toEqual([expect.stringMatching(/^\/bots\/0 must have required property 'botId'/)]);
  });

  test('a manifestVersion other than 1.22, an app version that is not semver', async () => {
    expect(await validateTeamsManifest({ ...built(), manifestVersion: '1.21', version: '1.22' })).toEqual([
      expect.stringMatching(/^\/manifestVersion must be equal to constant.*"allowedValue":"1\.22"/),
      '/version must be a semver version such as 1.0.0 (major.minor.patch), got "1.22"',
    ]);
  });

  test('a command description over the Teams limit, an app id that is not a GUID, a leftover placeholder', async () => {
    const m = built();
    const long = 'x'.repeat(COMMAND_DESCRIPTION_MAX + 1);
    m.bots![0]!.commandLists![1]!.commands[2]!.description = long;
    m.id = 'accord';
    (m['developer'] as Record<string, string>)['privacyUrl'] = '${{PRIVACY_URL}}';
    const problems = await validateTeamsManifest(m);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/id must match pattern/),
        `/bots/0/commandLists/1/commands/2/description (command "pack") is ${COMMAND_DESCRIPTION_MAX + 1} characters, over the ${COMMAND_DESCRIPTION_MAX} a command description may have`,
        'the placeholder ${{PRIVACY_URL}} was not substituted',
      ]),
    );
  });

  test('an unknown property, a $schema of another version, no bot at all', async () => {
    const { bots: _bots, ...noBot } = built();
    const m: TeamsManifest = { ...noBot, $schema: SCHEMA_URL.replace('v1.22', 'v1.17'), colour: 'red' };
    const problems = await validateTeamsManifest(m);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ must NOT have additional properties.*"additionalProperty":"colour"/),
        expect.stringMatching(
          /^\/\$schema must be https:\/\/developer\.microsoft\.com\/en-us\/json-schemas\/teams\/v1\.22\//,
        ),
        '/bots must declare the Accord bot (bots[0].botId)',
      ]),
    );
  });
});

describe('the environment', () => {
  test('TEAMS_CLIENT_ID and ACCORD_PUBLIC_URL are required and named when wrong', () => {
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        teamsPackageOptionsFromEnv(env);
        return [];
      } catch (err) {
        return (err as TeamsPackageError).problems;
      }
    };
    expect(problems({})).toEqual([
      expect.stringMatching(/^TEAMS_CLIENT_ID is not set/),
      expect.stringMatching(/^ACCORD_PUBLIC_URL is not set/),
    ]);
    expect(problems({ TEAMS_CLIENT_ID: 'my-bot', ACCORD_PUBLIC_URL: 'http://accord.example.com' })).toEqual([
      'TEAMS_CLIENT_ID must be a GUID such as 00000000-0000-0000-0000-000000000000, got "my-bot"',
      expect.stringMatching(/^ACCORD_PUBLIC_URL must be an https URL/),
    ]);
    expect(teamsPackageOptionsFromEnv({ TEAMS_CLIENT_ID: CLIENT_ID, ACCORD_PUBLIC_URL: PUBLIC_URL })).toEqual(
      {
        clientId: CLIENT_ID,
        publicUrl: PUBLIC_URL,
      },
    );
  });
});

describe('the icons', () => {
  test('the committed ones are 192x192 and 32x32, the outline white on transparent', () => {
    expect(pngSize(readFileSync(path.join(dir, 'color.png')))).toEqual({ width: 192, height: 192 });
    expect(pngSize(readFileSync(path.join(dir, 'outline.png')))).toEqual({ width: 32, height: 32 });
    expect(checkIcons(dir)).toEqual([]);
    const outline = readPng(readFileSync(path.join(dir, 'outline.png'))).rgba;
    const alphas = new Set<number>();
    for (let i = 0; i < outline.length; i += 4) alphas.add(outline[i + 3]!);
    expect(alphas.has(0) && alphas.has(255)).toBe(true); // a mark, not an empty or a full square
  });

  test('the committed ones are what mark.svg renders to', () => {
    const icons = renderTeamsIcons(readFileSync(path.join(dir, 'mark.svg'), 'utf8'));
    expect(readPng(icons.color).rgba.equals(readPng(readFileSync(path.join(dir, 'color.png'))).rgba)).toBe(
      true,
    );
    expect(
      readPng(icons.outline).rgba.equals(readPng(readFileSync(path.join(dir, 'outline.png'))).rgba),
    ).toBe(true);
  });

  test('readPng reads filtered PNGs as resvg writes them', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="#123456"/>' +
      '<circle cx="20" cy="15" r="11" fill="#e0a030"/><path d="M0 0 L40 30" stroke="#fff" stroke-width="3"/></svg>';
    const img = new Resvg(svg).render();
    const decoded = readPng(img.asPng());
    expect([decoded.width, decoded.height]).toEqual([40, 30]);
    expect(decoded.rgba.equals(img.pixels)).toBe(true); // opaque: premultiplied = straight
  });

  test('readPng undoes all five row filters, and reads grey+alpha and palette+tRNS images', () => {
    // Pixels of `channels` bytes, each row written with filter y % 5 (none, sub, up, average, paeth).
    const encode = (width: number, height: number, colourType: number, px: Buffer, extra: Buffer[] = []) => {
      const channels = { 3: 1, 4: 2, 6: 4 }[colourType as 3 | 4 | 6];
      const stride = width * channels;
      const raw = Buffer.alloc(height * (stride + 1));
      for (let y = 0; y < height; y++) {
        const filter = y % 5;
        raw[y * (stride + 1)] = filter;
        for (let x = 0; x < stride; x++) {
          const at = (yy: number, xx: number) => (yy < 0 || xx < 0 ? 0 : px[yy * stride + xx]!);
          const [a, b, c] = [at(y, x - channels), at(y - 1, x), at(y - 1, x - channels)];
          const p = a + b - c;
          const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
          const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter]!;
          raw[y * (stride + 1) + 1 + x] = (at(y, x) - pred) & 0xff;
        }
      }
      const chunk = (type: string, data: Buffer) => {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(data.length, 0);
        head.write(type, 4, 'latin1');
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
        return Buffer.concat([head, data, crc]);
      };
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(width, 0);
      ihdr.writeUInt32BE(height, 4);
      ihdr.set([8, colourType, 0, 0, 0], 8);
      return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', ihdr),
        ...extra.map((e, i) => chunk(i === 0 ? 'PLTE' : 'tRNS', e)),
        chunk('IDAT', deflateSync(raw)),
        chunk('IEND', Buffer.alloc(0)),
      ]);
    };
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 23;
    const [w, h] = [61, 43];
    const rgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = random();
    expect(readPng(encode(w, h, 6, rgba)).rgba.equals(rgba)).toBe(true);

    const greyAlpha = Buffer.alloc(w * h * 2);
    for (let i = 0; i < greyAlpha.length; i++) greyAlpha[i] = random();
    const asRgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++)
      asRgba.set([greyAlpha[2 * i]!, greyAlpha[2 * i]!, greyAlpha[2 * i]!, greyAlpha[2 * i + 1]!], 4 * i);
    expect(readPng(encode(w, h, 4, greyAlpha)).rgba.equals(asRgba)).toBe(true);

    // An optimiser's white-on-transparent outline: palette [transparent, white], tRNS [0, 255].
    const indices = Buffer.alloc(32 * 32);
    for (let i = 0; i < indices.length; i++) indices[i] = (i >> 2) % 2;
    const pal = encode(32, 32, 3, indices, [Buffer.from([0, 0, 0, 255, 255, 255]), Buffer.from([0])]);
    const decoded = readPng(pal).rgba;
    expect([...decoded.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...decoded.subarray(16, 20)]).toEqual([255, 255, 255, 255]);
  });

  test('a wrong size, a coloured outline and a missing icon are refused', () => {
    const at = mkdtempSync(path.join(tmp, 'icons-'));
    const square = (side: number, rgba: number[]) =>
      writePng({ width: side, height: side, rgba: Buffer.alloc(side * side * 4, Buffer.from(rgba)) });
    writeFileSync(path.join(at, 'color.png'), square(96, [31, 58, 95, 255]));
    writeFileSync(path.join(at, 'outline.png'), square(32, [255, 0, 0, 128]));
    expect(checkIcons(at)).toEqual([
      'color.png is 96x96; Teams wants 192x192',
      'outline.png has 1024 pixels that are neither transparent nor white; Teams wants white (255,255,255) on transparent',
    ]);
    rmSync(path.join(at, 'color.png'));
    writeFileSync(path.join(at, 'outline.png'), 'not a png');
    expect(checkIcons(at)).toEqual([
      `color.png is missing from ${at} (npm run teams:icons makes it)`,
      'outline.png is not a PNG (no PNG signature)',
    ]);
  });
});

describe('the package', () => {
  test('holds exactly manifest.json, color.png and outline.png, flat', async () => {
    const out = path.join(tmp, 'accord-teams.zip');
    const result = await packageTeamsApp({
      clientId: CLIENT_ID,
      publicUrl: PUBLIC_URL,
      version: '0.2.0',
      out,
    });
    expect(result.zip).toBe(out);
    const entries = await entryNames(readFileSync(out));
    expect(entries.map((e) => e.name).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e.data]));
    const manifest = JSON.parse(byName['manifest.json']!.toString('utf8')) as TeamsManifest;
    expect(manifest).toEqual(result.manifest);
    expect(manifest.version).toBe('0.2.0'); // validated by packageTeamsApp, which refuses otherwise
    expect(byName['color.png']!.equals(readFileSync(path.join(dir, 'color.png')))).toBe(true);
    expect(byName['outline.png']!.equals(readFileSync(path.join(dir, 'outline.png')))).toBe(true);
  });

  test('is not written when the manifest is invalid, and every problem is listed', async () => {
    const broken = mkdtempSync(path.join(tmp, 'broken-'));
    for (const f of ['color.png', 'outline.png']) copyFileSync(path.join(dir, f), path.join(broken, f));
    const template = readTemplate(dir);
    delete template.bots![0]!.botId;
    writeFileSync(path.join(broken, 'manifest.json'), JSON.stringify({ ...template, version: 'one' }));
    const out = path.join(broken, 'accord-teams.zip');
    const err = await packageTeamsApp({ clientId: CLIENT_ID, publicUrl: PUBLIC_URL, dir: broken, out }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TeamsPackageError);
    expect((err as TeamsPackageError).problems).toEqual([
      expect.stringMatching(/^\/bots\/0 must have required property 'botId'/),
      '/version must be a semver version such as 1.0.0 (major.minor.patch), got "one"',
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
