/**
 * `berth promote <deployment>` and `berth abort <deployment>`: finish a `manual` canary that
 * holds. Promote rolls the rest of the Deployment through deploy (the rollout finds the ready
 * canary and replaces the old replicas); abort removes the canary — the Services point at the
 * old replicas first — and state forgets it. Both run where cluster.ts is.
 */
import { BerthError } from '@berth/core';
import { abortCanaryState } from '@berth/engine';
import { APP_OPTIONS, parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { closeSessions, openSessions, type ClusterSession } from '../session.ts';
import { deployCommand } from './deploy.ts';

export const PROMOTE_HELP = `berth promote DEPLOYMENT [--app cluster.ts] [--cluster NAME]

Finishes a manual canary (update.canary.promote: 'manual') that passed its pause: rolls the rest
of DEPLOYMENT's replicas to the canary's spec, health-gated, as a deploy does. Refused when the
program changed since the canary started (deploy it, or abort the canary first).
`;

export const ABORT_HELP = `berth abort DEPLOYMENT [--app cluster.ts] [--cluster NAME]

Removes a manual canary that holds: the Services stop sending it requests, in-flight ones finish,
then its containers go. The old replicas are untouched. The program still differs from what
runs; berth diff shows it.
`;

function oneDeployment(command: string, positionals: readonly string[]): string {
  const id = positionals[0];
  if (positionals.length !== 1 || id === undefined) throw new BerthError('cli.usage', `berth ${command} takes one Deployment, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, { hint: `berth ${command} web` });
  return id;
}

/** The session whose state holds a canary of `id`, or a clear refusal. */
function holding(sessions: readonly ClusterSession[], id: string, command: string): ClusterSession {
  const s = sessions.find((x) => x.graph.resources.some((r) => r.id === id && r.kind === 'Deployment'));
  if (!s) throw new BerthError('cli.usage', `no Deployment "${id}" in the program`, { hint: 'give the Deployment id as berth status lists it' });
  if (!s.state.resources[id]?.canary) throw new BerthError('cli.usage', `Deployment ${id} has no canary waiting`, { hint: `a canary with promote: 'manual' waits after berth deploy; berth status shows it. Nothing to ${command}` });
  return s;
}

export async function promoteCommand(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse('promote', ctx.args, { ...APP_OPTIONS, cluster: { type: 'string' } }, true);
  if (values.help) {
    ctx.stdout.write(PROMOTE_HELP);
    return 0;
  }
  const id = oneDeployment('promote', positionals);
  const sessions = await openSessions(ctx, { app: values.app, cluster: values.cluster, observe: true });
  let cluster: string;
  try {
    const s = holding(sessions, id, 'promote');
    cluster = s.graph.cluster;
    const mark = s.state.resources[id]?.canary;
    const change = s.plan.changes.find((c) => c.id === id);
    if (!change || change.specHash !== mark?.specHash) {
      throw new BerthError('plan.invalid', `the program changed since the canary of ${id} started (${mark?.release ?? '?'}): promoting would roll a spec nobody watched`, { hint: `berth abort ${id}, then berth deploy the program (its canary runs again)` });
    }
    const others = s.plan.changes.filter((c) => c.action !== 'noop' && c.id !== id);
    if (others.length > 0) {
      throw new BerthError('plan.invalid', `the program has other changes too (${others.map((c) => `${c.action} ${c.id}`).join(', ')}); promote rolls only the canary`, { hint: 'berth deploy applies all of them, promoting the canary as it goes' });
    }
  } finally {
    await closeSessions(sessions);
  }
  ctx.stdout.write(`Promoting the canary of ${id}: rolling the rest.\n`);
  return deployCommand({ ...ctx, args: [...(values.app ? ['--app', values.app] : []), '--cluster', cluster, '--yes'] });
}

export async function abortCommand(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse('abort', ctx.args, { ...APP_OPTIONS, cluster: { type: 'string' } }, true);
  if (values.help) {
    ctx.stdout.write(ABORT_HELP);
    return 0;
  }
  const id = oneDeployment('abort', positionals);
  const sessions = await openSessions(ctx, { app: values.app, cluster: values.cluster, observe: true, lock: 'abort' });
  try {
    const s = holding(sessions, id, 'abort');
    const mark = s.state.resources[id]?.canary;
    if (!mark || !s.target?.abortCanary || !s.lock) throw new BerthError('internal', 'abort opened its session without the target or the lock');
    const services = s.graph.resources.flatMap((r) => (r.kind === 'Service' && r.props.target.$ref === id ? [{ id: r.id, targetPorts: r.props.ports.map((p) => p.targetPort ?? p.port) }] : []));
    const n = await s.target.abortCanary(id, mark.replicaHash, services);
    await s.store.write(s.lock, abortCanaryState(s.state, id, new Date().toISOString()));
    ctx.stdout.write(`${s.graph.cluster}: aborted the canary of ${id} (${n} container${n === 1 ? '' : 's'} removed); the old replicas keep serving.\n`);
    return 0;
  } finally {
    await closeSessions(sessions);
  }
}
