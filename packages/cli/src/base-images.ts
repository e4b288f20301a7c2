/**
 * Before a deploy runs: the image berth needs on each engine (berth/node-base:1, see
 * @berth/engine's ensureBaseImages) is built where missing, and the user sees that happen.
 * Only when the plan will need it: a Service to start (its proxy is built FROM it) or an
 * ImageBuild whose Dockerfile is FROM it (the starter's web/ is).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dockerHostsOf, type GraphJson } from '@berth/core';
import { ensureBaseImages, NODE_BASE_IMAGE, type Plan } from '@berth/engine';

const FROM_BASE = new RegExp(`^\\s*FROM\\s+(?:--\\S+\\s+)*${NODE_BASE_IMAGE.replace(/[/.]/g, '\\$&')}\\b`, 'im');

/** Whether carrying out `plan` needs berth/node-base:1 on the engines. */
export function needsBaseImage(graph: GraphJson, plan: Plan, appDir: string): boolean {
  const byId = new Map(graph.resources.map((r) => [r.id, r]));
  return plan.changes.some((c) => {
    if (c.action === 'delete' || c.action === 'noop') return false;
    if (c.kind === 'Service') return true;
    if (c.kind !== 'ImageBuild') return false;
    const props = byId.get(c.id)?.props as { context?: string; dockerfile?: string } | undefined;
    if (props?.context === undefined) return false;
    try {
      return FROM_BASE.test(readFileSync(resolve(appDir, props.context, props.dockerfile ?? 'Dockerfile'), 'utf8'));
    } catch {
      return false; // the build step reports an unreadable Dockerfile
    }
  });
}

/** Builds berth/node-base:1 on the graph's engines where missing, telling `say` as it goes. */
export async function prepareBaseImages(graph: GraphJson, say: (line: string) => void, signal?: AbortSignal): Promise<void> {
  // Only the Docker target runs berth's proxy on engines berth talks to directly.
  if (graph.target.kind !== 'docker') return;
  const hosts = dockerHostsOf(graph.target);
  const endpoints = hosts.length === 0 ? [undefined] : hosts.map((h) => h.endpoint);
  await ensureBaseImages(endpoints, {
    ...(signal ? { signal } : {}),
    onEvent: (e) =>
      say(
        e.type === 'building'
          ? `${e.image} is not on ${e.endpoint}: building it from this machine's node (once per engine) ...\n`
          : `${e.image} built on ${e.endpoint} in ${(e.ms / 1000).toFixed(1)}s\n`,
      ),
  });
}
