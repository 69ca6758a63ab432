// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { clientParts, recipeParts } from './lint/parts.js';

/**
 * The layers: protocol → client → recipes → cli, with testing on the client.
 * Each entry lists the folders (under src/) that a layer must not import from.
 */
const forbiddenByLayer = {
  protocol: ['client', 'recipes', 'testing', 'cli'],
  client: ['recipes', 'testing', 'cli'],
  recipes: ['testing', 'cli'],
  testing: ['recipes', 'cli'],
  cli: [],
};

const layerRules = Object.entries(forbiddenByLayer)
  .filter(([, forbidden]) => forbidden.length > 0)
  .map(([layer, forbidden]) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((target) => ({
            group: [`**/${target}/*`, `**/${target}`, `zkcoord/${target}`, 'zkcoord'],
            message: `src/${layer} must not import from src/${target} (layering: protocol → client → recipes → cli; testing on client).`,
          })),
        },
      ],
    },
  }));

export default defineConfig(
  { ignores: ['dist/**', 'dist-bench/**', 'dist-examples/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js', 'lint/*.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allow: [{ from: 'lib', name: 'bigint' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
  {
    files: ['src/**/*.ts'],
    plugins: { zkcoord: { rules: { 'client-parts': clientParts, 'recipe-parts': recipeParts } } },
  },
  { files: ['src/client/**/*.ts'], rules: { 'zkcoord/client-parts': 'error' } },
  { files: ['src/recipes/**/*.ts'], rules: { 'zkcoord/recipe-parts': 'error' } },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
