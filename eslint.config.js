// The architectural rules CI enforces: core never imports engine or cli; engine never imports cli;
// a package imports another by its name, never by a path into its sources (which a published
// package does not have).
import tseslint from 'typescript-eslint';

const byName = { group: ['**/core/src/**', '**/engine/src/**'], message: 'import another berth package by its name (@berth/core, @berth/engine): its sources are not in the published package' };

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
      { ...byName, group: ['**/core/src/**'] },
    ]),
  },
  {
    files: ['packages/engine/src/plan/**/*.ts', 'packages/engine/src/schedule/**/*.ts'],
    rules: restrict([
      { group: ['@berth/cli', '@berth/cli/*', '**/cli/src/**'], message: 'engine must not import cli (see DESIGN.md)' },
      { group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'node:net', 'node:http', 'dockerode', '**/targets/**', '**/execute/**', '**/state/store*'], message: 'planner and scheduler are pure: no I/O, no drivers' },
      { ...byName, group: ['**/core/src/**'] },
    ]),
  },
  {
    files: ['packages/cli/src/**/*.ts'],
    rules: restrict([byName]),
  },
);
