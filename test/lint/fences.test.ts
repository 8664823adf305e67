/**
 * The architecture's fences are lint errors, not hopes: the domain imports nothing outside it, the
 * use cases never import http, render or bots, the chat adapters never import models or jobs.
 */
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import accord from '../../tools/eslint-fences.js';
import { repoRoot } from '../../tools/ferretdb.js';

const eslint = new ESLint({
  cwd: repoRoot(),
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { accord },
      rules: { 'accord/fences': 'error' },
    },
  ],
});

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot(), file) });
  return result!.messages.map((m) => m.message);
}

describe('architecture fences', () => {
  it.each([
    ['src/domain/x.ts', "import { a } from '../app/ports.js';"],
    ['src/domain/forecast/x.ts', "import { a } from '../../render/pack.js';"],
    ['src/domain/x.ts', "export { a } from '../../bots/slack/blockkit.js';"],
    ['src/domain/x.ts', "import { a } from '../config.js';"],
    ['src/app/x.ts', "import { a } from '../http/app.js';"],
    ['src/app/x.ts', "import { a } from '../render/pack.js';"],
    ['src/app/x.ts', "import { a } from '../../bots/teams/app.js';"],
    ['bots/slack/x.ts', "import { a } from '../../models/index.js';"],
    ['bots/teams/listeners/x.ts', "import { a } from '../../../jobs/scheduler.js';"],
  ])('%s may not say %s', async (file, code) => {
    expect(await problems(file, code)).toHaveLength(1);
  });

  it.each([
    ['src/domain/forecast/x.ts', "import { a } from '../plan.js';"],
    ['src/app/x.ts', "import { a } from '../domain/plan.js'; import { b } from '../cards/card.js';"],
    ['bots/slack/x.ts', "import { a } from '../../src/app/queries.js';"],
    ['src/http/x.ts', "import { a } from '../../models/index.js';"],
  ])('%s may say %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
