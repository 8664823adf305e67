// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import accord from './tools/eslint-fences.js';

const IO_MODULES = [
  'express',
  'mongoose',
  'mongodb',
  'agenda',
  '@agendajs/*',
  '@slack/*',
  '@microsoft/*',
  'handlebars',
  'pino',
  'supertest',
  'fs',
  'node:fs',
  'node:fs/promises',
  'fs/promises',
  'http',
  'node:http',
  'https',
  'node:https',
  'net',
  'node:net',
  'child_process',
  'node:child_process',
  'dgram',
  'node:dgram',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'public/web/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
    },
  },
  {
    // The architecture's fences between folders (tools/eslint-fences.js).
    files: ['src/**/*.ts', 'bots/**/*.ts'],
    plugins: { accord },
    rules: { 'accord/fences': 'error' },
  },
  {
    // The domain core is pure: no I/O, no frameworks. Use cases reach the world through ports.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: IO_MODULES,
              message:
                'src/domain is pure: no I/O or framework imports (put it in app/, models/, http/ or jobs/).',
            },
          ],
        },
      ],
    },
  },
  {
    // Chat adapters: platform glue over the use cases; no database or job code.
    files: ['bots/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['mongoose', 'mongodb', 'agenda', '@agendajs/*'],
              message: 'chat adapters never touch the database or the scheduler: call a use case in src/app.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
  {
    // The web app's one script runs in the browser.
    files: ['public/web/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
);
