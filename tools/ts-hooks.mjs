/**
 * Module hooks for worker threads started from TypeScript sources (the tests run src/ through
 * @swc/jest; a worker thread is a fresh Node that knows nothing of it): `./x.js` that does not exist
 * resolves to `./x.ts`, and `.ts` is compiled with @swc/core (a dev dependency). Production runs
 * the compiled dist/ and never loads this file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';

/**
 * @param {string} specifier
 * @param {object} context
 * @param {(s: string, c: object) => Promise<object>} next
 */
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('.') || specifier.startsWith('file:');
    if (relative && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw err;
  }
}

/**
 * @param {string} url
 * @param {object} context
 * @param {(u: string, c: object) => Promise<object>} next
 */
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const filename = fileURLToPath(url);
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
