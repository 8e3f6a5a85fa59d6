// Lint, including the import-direction rule of STYLE.md: each layer may only
// import the layers below it, so a wrong arrow fails `npm test`.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const ours = {
  electron: { group: ['**/electron/**', '**/electron/*'], message: 'this layer may not import electron/' },
  electronModule: {
    name: 'electron',
    message: 'only electron/main.ts and electron/preload.ts may import electron',
  },
  renderer: { group: ['**/renderer/**', '**/renderer/*'], message: 'only the window imports renderer/' },
  native: {
    group: ['**/native/**', '**/native', '**/native/*'],
    message: 'only electron/host/ may load the kernel',
  },
  host: { group: ['**/host/**', '**/host/*', './host/*'], message: 'preload must not reach the host' },
};

/** One no-restricted-imports rule per layer (STYLE.md, "Layers by runtime"). */
function restrict(...rules) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: rules.filter((r) => r.name),
        patterns: rules.filter((r) => r.group),
      },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'native/target/',
      'native/index.js',
      'native/index.d.ts',
      'native/fuzz/',
      'dist/',
      'dist-electron/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**'],
    rules: restrict(ours.electron, ours.electronModule, ours.renderer, ours.native, {
      group: ['react', 'react-dom', 'better-sqlite3', 'ws', 'node:*'],
      message: 'shared/ is plain TS: zod only',
    }),
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(ours.electron, ours.electronModule, ours.native, {
        group: ['node:*', 'better-sqlite3', 'ws'],
        message: 'the window renders and sends commands; Node stays in the host',
      }),
    },
  },
  {
    files: ['electron/host/**'],
    rules: restrict(ours.electronModule, ours.renderer, {
      group: [
        '**/electron/main*',
        '**/electron/preload*',
        '**/electron/serve*',
        '../main*',
        '../serve*',
        '../preload*',
      ],
      message: 'the host is the composition root: the shells import it, not the other way',
    }),
  },
  {
    files: ['electron/preload.ts'],
    rules: restrict(ours.renderer, ours.native, ours.host, {
      group: ['node:*', 'better-sqlite3', 'ws'],
      message: 'preload exposes the bridge and nothing else',
    }),
  },
  {
    files: ['electron/shell/**'],
    rules: restrict(ours.electronModule, ours.native),
  },
  {
    files: ['electron/main.ts', 'electron/serve.ts'],
    rules: restrict(ours.renderer, ours.native),
  },
  {
    files: ['electron/serve.ts'],
    rules: restrict(ours.renderer, ours.native, ours.electronModule),
  },
);
