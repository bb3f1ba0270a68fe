// Lint config. The layer rules (style.md points 1-2) live here so folder names are not the only guard.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

/** Imports that reach into our other rooms: `../electron/...`, `../../renderer/...` and so on. */
const ours = (room) => [`**/${room}`, `**/${room}/**`, `${room}/**`]

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'test-results/**',
      '.ci-reports/**',
      '.stryker-tmp/**',
      '.stryker-reports/**',
      'bench/results.json',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // shared/ is the contract: it imports nothing of ours and no runtime-specific package.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...ours('electron'), ...ours('renderer'), ...ours('tools')],
              message: 'shared/ imports nothing from electron/, renderer/ or tools/.',
            },
            {
              group: ['node:*', 'fs', 'path', 'http', 'os', 'child_process'],
              message: 'shared/ runs in the renderer too: no Node built-ins.',
            },
          ],
          paths: [{ name: 'electron', message: 'shared/ must not touch Electron.' }],
        },
      ],
    },
  },
  {
    // The renderer talks to the core only through the contract in shared/.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...ours('electron'), ...ours('tools')],
              message: 'renderer/ imports only shared/ (and npm packages).',
            },
            {
              group: ['node:*', 'fs', 'path', 'http', 'os', 'child_process'],
              message: 'renderer/ runs in a browser: no Node built-ins.',
            },
          ],
          paths: [
            {
              name: 'electron',
              message: 'renderer/ reaches the core through the contract, never Electron.',
            },
          ],
        },
      ],
    },
  },
  {
    // The routing core runs in plain Node (serve, demo, tests): never the electron package.
    files: ['electron/core/**/*.ts', 'electron/serve/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'electron/core and electron/serve run in plain Node: no `electron` import.',
            },
          ],
          patterns: [
            {
              group: [...ours('renderer'), ...ours('main'), ...ours('preload')],
              message: 'The core imports only shared/ and its own modules.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the IPC transport wrappers may touch ipcMain/ipcRenderer (style.md point 2).
    files: ['electron/main/**/*.ts'],
    ignores: ['electron/main/ipc-transport.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportSpecifier[imported.name='ipcMain']",
          message: 'Use electron/main/ipc-transport.ts, not ipcMain directly.',
        },
      ],
    },
  },
)
