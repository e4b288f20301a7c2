/**
 * Reaching the cluster: the kubeconfig from the Cluster's `kubeconfig` (relative to cluster.ts),
 * else KUBECONFIG, else ~/.kube/config; its `context`, else the current one. Token and client
 * certificate auth are the kubeconfig's; TLS is verified unless the kubeconfig itself says
 * insecure-skip-tls-verify. API failures become berth errors that say what to do.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { BerthError, type GraphJson } from '@berth/core';
import { KubeConfig } from '@kubernetes/client-node';
import { scrub } from './redact.ts';
import { targetSource } from './translate.ts';

export interface ConnectOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory of cluster.ts: a relative `kubeconfig` is relative to it. */
  readonly appDir?: string;
}

/** The kubeconfig file to read, and how it was chosen (for messages). */
export function kubeconfigPath(graph: GraphJson, opts: ConnectOptions): { file: string; from: string } {
  const t = graph.target;
  if (t.kind === 'kubernetes' && t.kubeconfig !== undefined) {
    return { file: isAbsolute(t.kubeconfig) ? t.kubeconfig : resolve(opts.appDir ?? '.', t.kubeconfig), from: "the Cluster's kubeconfig" };
  }
  const env = opts.env['KUBECONFIG'];
  if (env) return { file: env.split(':').find((f) => f !== '') ?? env, from: 'KUBECONFIG' };
  return { file: join(opts.env['HOME'] ?? homedir(), '.kube', 'config'), from: '~/.kube/config' };
}

export function loadKubeConfig(graph: GraphJson, opts: ConnectOptions): { kc: KubeConfig; file: string } {
  const where = { constructPath: graph.cluster, kind: 'Cluster', property: 'target.kubernetes', location: targetSource(graph) };
  const { file, from } = kubeconfigPath(graph, opts);
  if (!existsSync(file)) {
    throw new BerthError('target.invalid', `no kubeconfig at ${file} (${from})`, { ...where, hint: 'set KUBECONFIG, or give the Cluster target: { kubernetes: { kubeconfig: "…", namespace } }' });
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (e) {
    throw new BerthError('target.invalid', `cannot read the kubeconfig ${file} (${from}): ${(e as Error).message}`, { ...where, cause: e, hint: 'check the file: kubectl config view --kubeconfig <file>' });
  }
  const t = graph.target;
  const context = t.kind === 'kubernetes' ? t.context : undefined;
  if (context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new BerthError('target.invalid', `the kubeconfig ${file} has no context "${context}"`, { ...where, hint: `its contexts: ${kc.getContexts().map((c) => c.name).join(', ') || '(none)'}` });
    }
    kc.setCurrentContext(context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new BerthError('target.invalid', `the kubeconfig ${file} has no current context with a cluster`, { ...where, hint: 'set current-context, or give the Cluster target a context' });
  return { kc, file };
}

interface ApiErrorLike {
  readonly code?: number | string;
  readonly body?: unknown;
  readonly message?: string;
  readonly cause?: unknown;
}

function bodyMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return bodyMessage(JSON.parse(body));
    } catch {
      return body.slice(0, 500);
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return undefined;
}

/** The HTTP status of an API error (undefined for a transport error). */
export function statusOf(e: unknown): number | undefined {
  const c = (e as ApiErrorLike | undefined)?.code;
  return typeof c === 'number' && c >= 100 && c < 600 ? c : undefined;
}

/** The API server's own message of an error, else the error's. */
export function messageOf(e: unknown): string {
  const err = e as ApiErrorLike;
  return bodyMessage(err.body) ?? (err.message ?? String(e)).split('\n')[0] ?? String(e);
}

/**
 * An API failure as a berth error: what was being done, the server's answer, what to do.
 * `secrets` are scrubbed from the text (a Secret's dry-run echoes its data).
 */
export function apiError(e: unknown, what: string, ctx: { readonly server: string; readonly secrets?: Iterable<string>; readonly constructPath?: string; readonly kind?: string; readonly location?: { file: string; line: number; column: number } | undefined }): BerthError {
  if (BerthError.is(e)) return e;
  const where = { constructPath: ctx.constructPath, kind: ctx.kind, location: ctx.location, cause: e };
  const status = statusOf(e);
  const msg = scrub(messageOf(e), ctx.secrets ?? []);
  if (status === undefined) {
    const cause = (e as ApiErrorLike).cause;
    const why = cause instanceof Error ? `${cause.message}${(cause as { code?: string }).code ? ` (${(cause as { code?: string }).code})` : ''}` : msg;
    return new BerthError('driver.unreachable', `cannot reach the Kubernetes API at ${ctx.server} (${what}): ${why}`, { ...where, hint: 'check that the API server runs and that the kubeconfig (server, context, CA) points at it' });
  }
  if (status === 401) return new BerthError('target.forbidden', `${what}: the API server at ${ctx.server} refused the kubeconfig's credentials (401 Unauthorized)`, { ...where, hint: "renew the kubeconfig's token or client certificate" });
  if (status === 403) return new BerthError('target.forbidden', `${what}: forbidden (403): ${msg}`, { ...where, hint: "give the kubeconfig's user RBAC permission for berth's objects in this namespace (a Role with get/list/create/patch/delete), or use another context" });
  if (status === 409) return new BerthError('target.conflict', `${what}: ${msg}`, { ...where, hint: 'another field manager owns these fields; deploy --force-conflicts takes them over for berth' });
  if (status === 422 || status === 400) return new BerthError('target.invalid', `${what}: the API server refused the object: ${msg}`, { ...where, hint: 'change the construct so the object it makes is valid' });
  return new BerthError('driver.failed', `${what}: ${status}: ${msg}`, where);
}
