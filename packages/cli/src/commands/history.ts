/**
 * `berth history`: the cluster's releases, newest first, from state alone (no program needed).
 */
import { isRollbackTarget, type ReleaseRecord } from '@berth/engine';
import { APP_OPTIONS, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { openStateDir } from '../state-dir.ts';

export const HISTORY_HELP = `berth history [--app cluster.ts] [--cluster NAME] [--json]

The cluster's releases, newest first: number, time, who ran it from where (user@host), the
program's commit (git describe), what changed, the image ids, Config and Secret versions (never
values), and the result. "rollback target" marks the releases berth rollback can go back to
(image retention kept their images). Reads state only: works without the program.

  --cluster NAME   only this cluster
  --json           one line per cluster: { cluster, releases: [...] }, each release with
                   "runsNow" and "rollbackTarget"
`;

const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

function resultText(r: ReleaseRecord): string {
  switch (r.result) {
    case 'ok':
      return 'ok';
    case 'running':
      return 'running';
    case 'canary':
      return `canary holds${r.reason ? `: ${r.reason}` : ''}`;
    case 'interrupted':
      return `interrupted${r.reason ? `: ${r.reason}` : ''}`;
    case 'failed':
      return `failed${r.rolledBack ? ' (rolled back)' : ''}${r.reason ? `: ${r.reason}` : ''}`;
  }
}

/** The lines of one release in the plain listing. */
export function renderRelease(r: ReleaseRecord, runsNow: boolean): string[] {
  const head = [`r${r.number}`, r.at.replace(/\.\d+Z$/, 'Z'), r.by, ...(r.git ? [`git ${r.git}`] : []), r.kind === 'rollback' ? `rollback to r${r.rollbackOf ?? '?'}` : 'deploy'];
  const marks = [...(runsNow ? ['runs now'] : []), ...(!runsNow && isRollbackTarget(r) ? ['rollback target'] : []), ...(r.rolledBackBy !== undefined ? [`rolled back by r${r.rolledBackBy}`] : []), ...(r.imagesRemoved ? ['images removed'] : [])];
  const lines = [`${head.join('  ')}${marks.length > 0 ? `  [${marks.join(', ')}]` : ''}`, `    result: ${resultText(r)}`, `    changed: ${r.summary}`];
  const pins = [
    ...Object.entries(r.images).map(([id, img]) => `${id}=${short(img)}`),
  ];
  if (pins.length > 0) lines.push(`    images: ${pins.join(' ')}`);
  const configs = Object.entries(r.configs).map(([id, h]) => `${id}=${h.slice(0, 8)}`);
  if (configs.length > 0) lines.push(`    configs: ${configs.join(' ')}`);
  // A version is an HMAC: it tells versions apart and reveals nothing of the value.
  const secrets = Object.entries(r.secrets).map(([id, v]) => `${id}=v:${v.slice(0, 8)}`);
  if (secrets.length > 0) lines.push(`    secrets: ${secrets.join(' ')}`);
  return lines;
}

export async function historyCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('history', ctx.args, { ...APP_OPTIONS, cluster: { type: 'string' } });
  if (values.help) {
    ctx.stdout.write(HISTORY_HELP);
    return 0;
  }
  const dir = await openStateDir(ctx.cwd, values.app, values.cluster);
  for (const cluster of dir.clusters) {
    const state = await dir.store.read(cluster);
    const releases = state?.releases ?? [];
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({ cluster, releases: releases.map((r, i) => ({ ...r, runsNow: i === 0, rollbackTarget: i > 0 && isRollbackTarget(r) })) })}\n`);
      continue;
    }
    if (releases.length === 0) {
      ctx.stdout.write(`${cluster}: no releases recorded (deployed by a berth that kept no history, or never)\n`);
      continue;
    }
    ctx.stdout.write(`${cluster}: ${releases.length} release${releases.length === 1 ? '' : 's'}, newest first\n`);
    releases.forEach((r, i) => ctx.stdout.write(`${renderRelease(r, i === 0).map((l) => `  ${l}`).join('\n')}\n`));
  }
  return 0;
}
