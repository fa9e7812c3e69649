// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config reads process.env.' },
      ],
    },
  },
  {
    // Requests to URLs a team supplies go through src/http (SSRF check at connect time, timeouts, bounded reads).
    // Platform API clients (telegraf, @slack/web-api, Octokit) bring their own HTTP and take base URLs from config.
    files: ['src/**/*.ts'],
    ignores: ['src/http/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'undici', message: 'Use OutboundHttpClient (src/http) for outbound requests.' },
            ...['http', 'node:http', 'https', 'node:https'].map((name) => ({
              name,
              importNames: ['request', 'get', 'Agent'],
              message: 'Use OutboundHttpClient (src/http) for outbound requests.',
            })),
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use OutboundHttpClient (src/http) for outbound requests.' }],
    },
  },
  {
    // The time comes from the injected Clock (src/common/clock.ts), so tests can move it; pure helpers take `now`.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts', 'src/common/clock.ts', 'src/database/migration-cli.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config reads process.env.' },
        { object: 'Date', property: 'now', message: 'Ask the injected Clock (nowMs()), or take `now` as a parameter.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Ask the injected Clock (now()), or take `now` as a parameter.' },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'src/main.ts', 'src/cli.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
