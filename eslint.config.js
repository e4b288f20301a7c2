// The one architectural rule CI enforces: core never imports engine or cli; engine never imports cli.
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'berth.out/**', '**/berth.out/**', 'test/**/bad/**', 'bench/**/work/**', 'bench/**/peers/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    rules: {},
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: restrict([
      { group: ['@berth/engine', '@berth/engine/*', '@berth/cli', '@berth/cli/*', '**/engine/src/**', '**/cli/src/**'], message: 'core must not import engine or cli (see DESIGN.md)' },
      { group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'node:net', 'node:http'], message: 'core does no I/O: read files through SourceReader' },
    ]),
  },
  {
    files: ['packages/engine/src/**/*.ts'],
    rules: restrict([
      { group: ['@berth/cli', '@berth/cli/*', '**/cli/src/**'], message: 'engine must not import cli (see DESIGN.md)' },
    ]),
  },
  {
    files: ['packages/engine/src/plan/**/*.ts', 'packages/engine/src/schedule/**/*.ts'],
    rules: restrict([
      { group: ['@berth/cli', '@berth/cli/*', '**/cli/src/**'], message: 'engine must not import cli (see DESIGN.md)' },
      { group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'node:net', 'node:http', 'dockerode', '**/targets/**', '**/execute/**', '**/state/store*'], message: 'planner and scheduler are pure: no I/O, no drivers' },
    ]),
  },
);
