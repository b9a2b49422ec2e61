import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Who may import what (docs/ARCHITECTURE.md §2): shared is pure; the core never imports electron;
// the renderer reaches main only through the preload bridge.
const noElectron = { name: 'electron', message: 'Only src/main/index.ts and src/main/electron/ may import electron (the core stays Electron-free).' };
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
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: nodeBuiltins, message: 'src/shared is pure TypeScript: no Node built-ins.' },
          { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared imports nothing from main, renderer or preload.' },
        ],
      }],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/renderer/**', '**/preload/**'], message: 'main/* imports only main and shared.' }],
      }],
    },
  },
  {
    files: ['src/main/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/exchange/**', '**/renderer/**', '**/preload/**', '**/core/**'], message: 'The simulator is an independent Binance stand-in: it must not share code with the client it tests.' }],
      }],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: nodeBuiltins, message: 'The renderer is sandboxed: no Node built-ins.' },
          { group: ['**/main/**', '**/preload/**'], message: 'The renderer talks to main only through window.perch (the preload bridge).' },
        ],
      }],
      // The zod schemas stay in main: the renderer takes only their types (zod would double the bundle).
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'zod', message: 'The renderer does not validate with zod; main does.', allowTypeImports: true }],
        patterns: [{
          regex: '(^|/)shared/(domain(/(?!(portfolio-events|exchange-name)$)[^/]+)?|ipc/(orders-)?contract)$',
          message: 'Import only types from the zod schema modules in the renderer (runtime helpers live in zod-free modules such as shared/domain/portfolio-events).',
          allowTypeImports: true,
        }],
      }],
    },
  },
);
