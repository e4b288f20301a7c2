// The layering rule from DESIGN.md is enforced by the linter; this proves the rule bites.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });
const lint = async (filePath: string, code: string) => (await eslint.lintText(code, { filePath }))[0]?.messages.map((m) => m.message) ?? [];

describe('import layering', () => {
  it('refuses core importing engine or cli, and engine importing cli', async () => {
    expect(await lint('packages/core/src/x.ts', "import { plan } from '@berth/engine';\nexport { plan };\n")).toEqual([expect.stringContaining('core must not import engine or cli')]);
    expect(await lint('packages/core/src/x.ts', "import { main } from '../../cli/src/main.ts';\nexport { main };\n")).toEqual([expect.stringContaining('core must not import engine or cli')]);
    expect(await lint('packages/engine/src/x.ts', "import { main } from '@berth/cli';\nexport { main };\n")).toEqual([expect.stringContaining('engine must not import cli')]);
  });
  it('keeps core and the planner free of I/O', async () => {
    expect(await lint('packages/core/src/x.ts', "import fs from 'node:fs';\nexport { fs };\n")).toEqual([expect.stringContaining('core does no I/O')]);
    expect(await lint('packages/engine/src/plan/x.ts', "import Docker from 'dockerode';\nexport { Docker };\n")).toEqual([expect.stringContaining('pure')]);
  });
  it('refuses a path into another package: the published package has no sources', async () => {
    expect(await lint('packages/engine/src/x.ts', "import { DriverError } from '../../core/src/errors.ts';\nexport { DriverError };\n")).toEqual([expect.stringContaining('by its name')]);
    expect(await lint('packages/engine/src/plan/x.ts', "import { App } from '../../../core/src/index.ts';\nexport { App };\n")).toEqual([expect.stringContaining('by its name')]);
    expect(await lint('packages/cli/src/x.ts', "import { plan } from '../../engine/src/index.ts';\nexport { plan };\n")).toEqual([expect.stringContaining('by its name')]);
  });
  it('lets cli import core and engine', async () => {
    expect(await lint('packages/cli/src/x.ts', "import { plan } from '@berth/engine';\nimport { App } from '@berth/core';\nexport { plan, App };\n")).toEqual([]);
  });
});
