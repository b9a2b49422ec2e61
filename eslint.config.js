import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import jsxA11y from 'eslint-plugin-jsx-a11y';

// Who may import what (docs/ARCHITECTURE.md §2): shared is pure; the core never imports electron;
// the renderer reaches main only through the preload bridge.
const noElectron = {
  name: 'electron',
  message: 'Only src/main/index.ts and src/main/electron/ may import electron (the core stays Electron-free).',
};
const nodeBuiltins = ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process', 'ws'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.cache/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/shared/**/*.ts', 'src/shared/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: nodeBuiltins, message: 'src/shared is pure TypeScript: no Node built-ins.' },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'src/shared imports nothing from main, renderer or preload.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ group: ['**/renderer/**', '**/preload/**'], message: 'main/* imports only main and shared.' }],
        },
      ],
    },
  },
  {
    files: ['src/main/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: ['**/exchange/**', '**/renderer/**', '**/preload/**', '**/core/**'],
              message: 'The simulator is an independent Binance stand-in: it must not share code with the client it tests.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer is sandboxed: no Node built-ins.' },
            {
              group: ['**/main/**', '**/preload/**'],
              message: 'The renderer talks to main only through window.perch (the preload bridge).',
            },
          ],
        },
      ],
      // The zod schemas stay in main: the renderer takes only their types (zod would double the bundle).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zod', message: 'The renderer does not validate with zod; main does.', allowTypeImports: true }],
          patterns: [
            {
              regex: '(^|/)shared/(domain(/(?!(portfolio-events|exchange-name|order-status)$)[^/]+)?|ipc/(orders-)?contract)$',
              message:
                'Import only types from the zod schema modules in the renderer (runtime helpers live in zod-free modules such as shared/domain/portfolio-events).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  // The pure modules compute from their inputs only: no Node built-ins, no sockets, no clock or
  // network reached around their arguments, so each is tested with plain values. (This block
  // replaces the src/main import rule for these files, so it repeats it.)
  {
    files: [
      'src/main/portfolio/**/*.ts',
      'src/main/orders/preflight*.ts',
      'src/main/exchange/filters*.ts',
      'src/main/history/pnl-engine*.ts',
      'src/main/alerts/engine*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: [...nodeBuiltins, 'undici', 'electron-store', '@napi-rs/*'],
              message: 'A pure module takes values, not the machine: no Node built-ins, sockets or storage.',
            },
            { group: ['**/renderer/**', '**/preload/**'], message: 'main/* imports only main and shared.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'A pure module takes its settings as arguments.' },
        { name: 'fetch', message: 'A pure module does no network: its caller passes the data in.' },
        { name: 'WebSocket', message: 'A pure module does no network: its caller passes the data in.' },
        { name: 'Buffer', message: 'A pure module is plain TypeScript: no Node built-ins.' },
      ],
    },
  },
  // Electron's IPC is reached in one place: the adapter registers the router's commands
  // (src/main/electron/ipc.ts) and the broadcaster sends events (src/main/ipc/event-broadcaster.ts).
  // A handler or a send anywhere else would skip the router's input check and sender check.
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/main/electron/ipc.ts', 'src/main/ipc/event-broadcaster.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='ipcMain'][property.name=/^(handle|handleOnce|on|once|addListener)$/]",
          message: 'Commands are registered only by the IPC adapter (src/main/electron/ipc.ts), through the command router.',
        },
        {
          selector: 'MemberExpression[property.name=/^(send|postMessage)$/][object.name=/^(webContents|sender)$/]',
          message: 'Events reach the windows only through the event broadcaster (src/main/ipc/event-broadcaster.ts).',
        },
        {
          selector: 'MemberExpression[property.name=/^(send|postMessage)$/][object.property.name=/^(webContents|sender)$/]',
          message: 'Events reach the windows only through the event broadcaster (src/main/ipc/event-broadcaster.ts).',
        },
      ],
    },
  },
  // React: the rules of hooks (effects' dependencies checked; a deliberate exception carries a
  // disable comment with its reason) and the static accessibility rules.
  {
    files: ['src/renderer/**/*.tsx', 'src/renderer/**/*.ts'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['src/renderer/**/*.tsx'],
    ...jsxA11y.flatConfigs.recommended,
  },
);
