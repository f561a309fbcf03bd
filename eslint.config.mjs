// ESLint flat config. TypeScript is linted with type information (typescript-eslint's
// recommended type-checked set); the plain JavaScript of bench/, .ci/ and the config files
// with ESLint's recommended rules only, as it has no types to check.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'dist/',
      'coverage/',
      'test-results/',
      '.data/',
      'bench/.tmp/',
      'bench/results/',
      'packages/*/dist/',
      'packages/client/src/generated/',
      'packages/client/doc-snippets/',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Both are in the recommended set already; named here because they are the point: an
      // unawaited promise whose rejection nobody handles crashes the process.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // End-to-end tests read untyped JSON off the wire (supertest's response.body is `any`) and
      // check its shape with expect(); typing every body would restate the API in each test.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Test doubles are async functions standing in for async interfaces (loaders, hooks);
      // one that needs no await is still the right shape.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
);
