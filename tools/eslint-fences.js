// @ts-check
/**
 * The architecture's fences as a lint rule: each zone (a folder of the repository) names the
 * folders its files may not import from. Relative imports are resolved against the importing file,
 * so `../app/x.js` from src/domain/ and `../../app/x.js` from src/domain/forecast/ are the same import.
 * Packages are fenced with `no-restricted-imports` in eslint.config.js.
 */
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** @type {{ from: string; forbidden: string[]; allowedOnly?: string; message: string }[]} */
export const ZONES = [
  {
    from: 'src/domain',
    forbidden: [],
    allowedOnly: 'src/domain',
    message: 'src/domain depends on nothing outside it (put I/O and wiring in app/, models/, http/ or bots/)',
  },
  {
    from: 'src/app',
    forbidden: ['src/http', 'src/render', 'bots'],
    message: 'src/app never imports http, render or bots: it reaches them through ports (src/app/ports.ts)',
  },
  {
    from: 'bots',
    forbidden: ['models', 'jobs'],
    message: 'chat adapters never import models or jobs: they call use cases in src/app',
  },
];

/** @param {string} file @param {string} dir */
const inside = (file, dir) => {
  const rel = path.relative(path.join(ROOT, dir), file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** @type {import('eslint').Rule.RuleModule} */
const fences = {
  meta: { type: 'problem', schema: [], docs: { description: 'the architecture fences between folders' } },
  create(context) {
    const file = context.filename;
    const zones = ZONES.filter((z) => inside(file, z.from));
    if (!zones.length) return {};
    /** @param {import('estree').Node & { source?: { value?: unknown } | null }} node */
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      for (const z of zones) {
        const bad = z.allowedOnly
          ? !inside(target, z.allowedOnly)
          : z.forbidden.some((dir) => inside(target, dir));
        if (bad) context.report({ node, message: `${z.message} (imports ${spec})` });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { fences } };
