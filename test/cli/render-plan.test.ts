import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { plan, type Plan } from '../../packages/engine/src/plan/index.ts';
import { formatValue, renderPlan, summaryLine } from '../../packages/cli/src/render/plan.ts';
import { deployed, graphOf, observedFrom, reader } from '../engine/plan-builders.ts';
import { NGINX_V2, shop } from './golden/plan-fixtures.ts';

/** Compares with test/cli/golden/<name>; UPDATE_GOLDEN=1 rewrites it. ANSI escapes are shown as ␛. */
function golden(name: string, text: string): void {
  const file = fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
  const visible = text.replace(/\u001b/g, '␛');
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, visible);
  expect(visible).toBe(readFileSync(file, 'utf8'));
}

const SECRETS_BEFORE = { 'db-password': 'version-before-0123456789' };
const SECRETS_AFTER = { 'db-password': 'version-after-9876543210' };

/** A bit of everything: rebuild, config file, scale, env, create, delete, move, secret, drift. */
function mixed(): Plan {
  const before = graphOf(shop());
  const state = deployed(before, SECRETS_BEFORE);
  const live = observedFrom(state);
  const dbLive = live.resources.db;
  const observed = { ...live, resources: { ...live.resources, db: { ...dbLive!, replicas: [{ ...dbLive!.replicas![0]!, state: 'exited' as const }] } } };
  const after = graphOf(shop({ apiReplicas: 4, log: 'debug', conf: NGINX_V2, withCache: true, withAdmin: false, frontendMoved: true }), reader({ './api': 'v2' }));
  return plan({ graph: after, state, observed, secretVersions: SECRETS_AFTER });
}

describe('renderPlan', () => {
  it('renders a mixed plan as plain text', () => {
    golden('mixed.txt', renderPlan(mixed(), { color: false }));
  });

  it('renders the same plan in colour', () => {
    golden('mixed.color.txt', renderPlan(mixed(), { color: true }));
  });

  it('lists unchanged resources with verbose', () => {
    const g = graphOf(shop());
    const p = plan({ graph: g, state: deployed(g), options: {} });
    expect(renderPlan(p, { color: false })).toBe('cluster shop  (state serial 4)\n\nNo changes. 10 unchanged.\n');
    golden('noop-verbose.txt', renderPlan(p, { color: false, verbose: true }));
  });

  it('renders a blocked volume deletion with its error and hint', () => {
    const p = plan({ graph: graphOf(shop({ withVolume: false })), state: deployed(graphOf(shop())) });
    golden('blocked-volume.txt', renderPlan(p, { color: false }));
  });

  it('renders a first deploy', () => {
    golden('first-deploy.txt', renderPlan(plan({ graph: graphOf(shop()), state: undefined }), { color: false }));
  });

  it('never prints a secret version', () => {
    const text = renderPlan(mixed(), { color: true }) + renderPlan(mixed(), { color: false, verbose: true });
    for (const v of [...Object.values(SECRETS_BEFORE), ...Object.values(SECRETS_AFTER)]) expect(text).not.toContain(v);
    expect(text).toContain('(sensitive) changed');
  });
});

describe('formatValue and summaryLine', () => {
  it('writes references and templates as a reader would', () => {
    expect(formatValue({ $ref: 'db', attr: 'host' })).toBe('${db.host}');
    expect(formatValue({ $concat: ['postgres://', { $ref: 'db', attr: 'host' }, ':5432'] })).toBe('`postgres://${db.host}:5432`');
    expect(formatValue([1, 'a', { b: true }])).toBe('[1, "a", { b: true }]');
  });
  it('counts', () => {
    const s = { create: 2, update: 1, replace: 1, delete: 0, move: 0, repair: 0, noop: 3, blocked: 0 };
    expect(summaryLine(s)).toBe('Plan: 2 to create, 1 to update, 1 to replace, 0 to delete (3 unchanged)');
    expect(summaryLine({ ...s, move: 1, repair: 2, blocked: 1 })).toBe('Plan: 2 to create, 1 to update, 1 to replace, 0 to delete, 1 to move, 2 to repair (3 unchanged); 1 blocked (see errors above)');
  });
});
