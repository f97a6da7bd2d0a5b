// ESLint (flat config): typescript-eslint's recommended rules, plus import boundaries that encode DESIGN.md's
// layering, so a change that breaks it fails `npm run lint` instead of a review. Formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
// Demo mode (src/demo/: Prism, the stand-in Zoom page, the demo page) is loaded only by server.ts's dynamic
// import, in demo mode: a production install has none of its dev dependencies. Only src/demo/ uses mocks/.
// (ESLint replaces a rule's options per file rather than merging them, so each src/ rule below repeats this.)
const demoOnly = {
  group: ['**/demo/**', '**/mocks/**'],
  message: 'Only src/demo/ imports demo mode or mocks/ (server.ts loads src/demo/ with a dynamic import, in demo mode only).',
};
const clientSdkEntries = ['src/client/sdk.ts', 'src/client/react-query.ts'];

export default tseslint.config(
  { ignores: ['generated/**', 'dist/**', 'node_modules/**', 'coverage/**', 'data/**', '.tmp/**', 'bench/.build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    // Type-aware, for the promise rules: a forgotten await in a server is a lost error or a request that hangs.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/demo/**'],
    rules: restrict(demoOnly),
  },
  // The flow is free of Fastify: routes, plugins and pages adapt it to HTTP, never the other way round.
  {
    files: ['src/connect/**/*.ts'],
    rules: restrict(
      demoOnly,
      { group: ['fastify', 'fastify-*', '@fastify/*'], message: 'src/connect/ never imports Fastify (DESIGN.md: routes -> connect).' },
      { group: ['**/routes/**', '**/plugins/**', '**/pages/**'], message: 'src/connect/ never imports routes, plugins or pages.' },
    ),
  },
  // The credential lifecycle sits between the flow (and the health sync) and Recall and the store: they call it,
  // never the other way round, and it knows nothing of HTTP.
  {
    files: ['src/credentials/**/*.ts'],
    rules: restrict(
      { group: ['fastify', 'fastify-*', '@fastify/*'], message: 'src/credentials/ never imports Fastify.' },
      {
        group: ['**/connect/**', '**/health/**', '**/routes/**', '**/plugins/**', '**/pages/**', '**/demo/**'],
        message: 'src/credentials/ never imports the flow, the health sync, routes, plugins, pages or demo mode (they call it).',
      },
    ),
  },
  // Event bodies and their delivery are below the domain that raises the events.
  {
    files: ['src/events/**/*.ts'],
    rules: restrict({
      group: ['**/connect/**', '**/credentials/**'],
      message: 'src/events/ never imports src/connect/ or src/credentials/ (they raise the events).',
    }),
  },
  // Persistence and the Recall client know nothing of the flow that uses them.
  {
    files: ['src/store/**/*.ts', 'src/recall/**/*.ts'],
    rules: restrict(demoOnly, {
      group: ['**/connect/**', '**/credentials/**', '**/events/**'],
      message: 'src/store/ and src/recall/ never import src/connect/, src/credentials/ or src/events/ (dependencies point one way).',
    }),
  },
  // Routes call the flow; only the flow talks to the store.
  {
    files: ['src/routes/**/*.ts'],
    rules: restrict(demoOnly, { group: ['**/store/**'], message: 'Routes never import the store: go through src/connect/.' }),
  },
  // The browser helper ships alone: its own files and the generated types, nothing else (not even the SDK).
  {
    files: ['src/client/**/*.ts'],
    ignores: clientSdkEntries,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|\\.\\./\\.\\./generated/gateway/types\\.gen\\.js$)|^\\./(sdk|react-query)\\.js$',
              message: 'src/client/ imports only its own files and the generated gateway types (it ships as a package with no dependencies).',
            },
          ],
        },
      ],
    },
  },
  // The package's SDK entries: the dependency-free hey-api output made for them, nothing else.
  {
    files: clientSdkEntries,
    rules: restrict({
      regex: '^(?!\\.\\./\\.\\./generated/gateway-sdk/)',
      message: "The package's ./sdk and ./react-query entries import only generated/gateway-sdk/ (no zod, no server code).",
    }),
  },
  // Plain Node scripts (prepare runs where tsx is not installed).
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
