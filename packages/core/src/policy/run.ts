/**
 * Synth's policy stage, per Cluster: every Policy whose scope covers a resource checks it, rule
 * by rule. Violations become diagnostics located at the resource at fault; a rule that throws
 * is reported once (`policy.failed`, at the Policy) and checks nothing more, so one broken rule
 * does not hide the others' findings. Order is fixed (policies by path, resources by id, rules
 * as listed), so the same program reports the same list.
 */
import type { Diagnostic, Severity, SourceLocation } from '../errors.ts';
import type { GraphJson, ResourceJson } from '../graph/schema.ts';
import { isResource } from '../kinds/resource-brand.ts';
import type { RawFrames } from '../private/location.ts';
import { cmpStr } from '../synth/diagnostics.ts';
import { Policy, type PolicyContext, type PolicyReport, type PolicyRule, type Rule, type ViolationOptions } from './policy.ts';

export interface PolicySubject {
  readonly graph: GraphJson;
  /** The cluster.ts location of a resource, by graph id (absolute, as diagnostics carry it). */
  readonly locationOf: (id: string) => SourceLocation | undefined;
  readonly resolve: (frames: RawFrames) => SourceLocation | undefined;
  readonly report: (d: Diagnostic) => void;
}

/** Checks `graph` against the policies that cover its resources. */
export function runPolicies(policies: readonly Policy[], s: PolicySubject): void {
  if (policies.length === 0) return;
  const { graph } = s;
  const byId = new Map(graph.resources.map((r) => [r.id, r]));
  let dependents: Map<string, ResourceJson[]> | undefined;
  const context: PolicyContext = {
    graph,
    resource: (id) => byId.get(id),
    dependents(id) {
      if (!dependents) {
        dependents = new Map();
        for (const r of graph.resources) for (const d of r.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), r]);
      }
      return dependents.get(id) ?? [];
    },
  };
  for (const p of [...policies].sort((a, b) => cmpStr(a.node.path, b.node.path))) {
    const rules = rulesOf(p, s);
    if (rules.length === 0) continue;
    const scope = p.node.scope?.node.path ?? '';
    const excluded = (p.props.exclude ?? []).map((x) => (typeof x === 'string' ? x : x.node.path));
    const covered = graph.resources.filter((r) => under(r.path, scope) && !excluded.some((x) => under(r.path, x)));
    for (const rl of rules) {
      for (const r of covered) {
        const report = reporter(p, rl.name, r, byId, s);
        try {
          rl.check(r, report, context);
        } catch (e) {
          s.report({
            code: 'policy.failed',
            message: `rule "${rl.name}" threw while checking ${r.path}: ${e instanceof Error ? e.message : String(e)}`,
            constructPath: p.node.path,
            kind: 'Policy',
            rule: rl.name,
            location: s.resolve(p.frames),
            hint: 'fix the rule (a rule reports violations through report.error/report.warning; it must not throw)',
          });
          break;
        }
      }
    }
  }
}

/** `path` is `scope` or below it; the empty scope (the App) covers everything. */
function under(path: string, scope: string): boolean {
  return scope === '' || path === scope || path.startsWith(`${scope}/`);
}

/** The Policy's rules as named rules; what is not a rule is reported at the Policy. */
function rulesOf(p: Policy, s: PolicySubject): PolicyRule[] {
  const given: unknown = (p.props as { rules?: unknown } | undefined)?.rules;
  const bad = (message: string, property: string): PolicyRule[] => {
    s.report({ code: 'props.invalid', message, constructPath: p.node.path, kind: 'Policy', property, location: s.resolve(p.frames), hint: 'pass rules: [requireLimits(), …], or your own (resource, report) => { … } functions' });
    return [];
  };
  if (!Array.isArray(given)) return bad('rules: expected an array of rules', 'rules');
  const out: PolicyRule[] = [];
  for (const [i, r] of (given as unknown[]).entries()) {
    if (typeof r === 'function') out.push({ name: r.name || 'custom', check: r as PolicyRule['check'] });
    else if (typeof r === 'object' && r !== null && typeof (r as PolicyRule).check === 'function' && typeof (r as PolicyRule).name === 'string') out.push(r as PolicyRule);
    else bad(`rules[${i}]: expected a rule (a function or { name, check }), got ${isResource(r) ? 'a resource construct' : r === null ? 'null' : typeof r}`, `rules[${i}]`);
  }
  return out satisfies Rule[];
}

function reporter(p: Policy, name: string, r: ResourceJson, byId: ReadonlyMap<string, ResourceJson>, s: PolicySubject): PolicyReport {
  const advisory = p.props.severity === 'warning';
  const violation = (severity: Severity, message: string, o: ViolationOptions = {}): void => {
    const at = (o.resource !== undefined ? byId.get(o.resource) : undefined) ?? r;
    s.report({
      code: 'policy.violation',
      severity: advisory ? 'warning' : severity,
      rule: name,
      message: `${o.property ? `${o.property}: ` : ''}${message} (policy ${p.node.path}, rule ${name})`,
      constructPath: at.path,
      kind: at.kind,
      property: o.property,
      location: s.locationOf(at.id),
      hint: o.hint,
    });
  };
  return {
    error: (m, o) => violation('error', m, o),
    warning: (m, o) => violation('warning', m, o),
    violation,
  };
}
