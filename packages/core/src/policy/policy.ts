/**
 * Policies: rules as code over the synthesized graph, checked at synth. A Policy is a construct
 * like any other, so a team ships its rules as an npm package and a program adds them with one
 * line; it applies to every resource below its scope (the whole App, one Cluster, or one
 * composite construct). Rules only read: a program's graph is the same with or without them.
 *
 * @example
 * new Policy(app, 'prod-rules', { rules: [requireLimits(), noLatestTags(), maxReplicas(50)] });
 * new Policy(prod, 'team', {
 *   rules: [rule('name-prefix', (r, report) => { if (!r.id.startsWith('shop-')) report.warning('ids start with shop-'); })],
 * });
 */
import { Construct } from 'constructs';
import type { Severity } from '../errors.ts';
import type { GraphJson, ResourceJson } from '../graph/schema.ts';
import { captureFrames, type RawFrames } from '../private/location.ts';

const POLICY = Symbol.for('berth.policy');

/** Where a violation points, and what to do about it. */
export interface ViolationOptions {
  /** The property at fault, as diagnostics write it: `resources.limits`, `env.DB_PASSWORD`, `ports[0].publish`. */
  readonly property?: string;
  /** What to do next. */
  readonly hint?: string;
  /** The id of the resource at fault, when it is not the one being checked. @default the resource checked */
  readonly resource?: string;
}

/** How a rule reports a violation of the resource it checks. */
export interface PolicyReport {
  /** Fails synth (exit 1), listed with every other problem. */
  error(message: string, options?: ViolationOptions): void;
  /** Shown, and synth goes on. */
  warning(message: string, options?: ViolationOptions): void;
  /** An error or a warning, as `severity` says (for rules with a configurable severity). */
  violation(severity: Severity, message: string, options?: ViolationOptions): void;
}

/** What a rule can see besides the resource it checks: the whole graph of its cluster. */
export interface PolicyContext {
  readonly graph: GraphJson;
  /** The resource of the graph with this id. */
  resource(id: string): ResourceJson | undefined;
  /** The resources that depend on `id` (its consumers). */
  dependents(id: string): readonly ResourceJson[];
}

/** A rule's check: called once per resource, in id order, with the resource as the graph has it. */
export type RuleCheck = (resource: ResourceJson, report: PolicyReport, context: PolicyContext) => void;

/** A named rule. The name is shown with each violation (`require-limits`). */
export interface PolicyRule {
  readonly name: string;
  readonly check: RuleCheck;
}

/** A rule, or a bare check (named after its function, else `custom`). */
export type Rule = PolicyRule | RuleCheck;

/** Makes a named rule. */
export function rule(name: string, check: RuleCheck): PolicyRule {
  return { name, check };
}

export interface PolicyProps {
  /** The rules, checked against every resource below the Policy's scope. */
  readonly rules: readonly Rule[];
  /**
   * `warning` turns every error of this Policy into a warning (advisory mode, e.g. to roll a
   * new rule out). @default each rule's own severity
   */
  readonly severity?: 'warning';
  /** Resources (constructs, or construct paths) the Policy leaves alone, with everything below them. @default [] */
  readonly exclude?: readonly (Construct | string)[];
}

/**
 * A set of rules checked at synth against every resource below its scope. Violations are
 * located diagnostics (the resource's cluster.ts line, its construct path, what to do), listed
 * all at once with the program's other problems; an error fails synth.
 *
 * @example
 * new Policy(app, 'prod-rules', { rules: [requireLimits(), noLatestTags(), requireHealthChecks()] });
 */
export class Policy extends Construct {
  static isPolicy(x: unknown): x is Policy {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[POLICY] === true;
  }
  readonly props: PolicyProps;
  /** @internal where the program created it. */
  readonly frames: RawFrames;

  constructor(scope: Construct, id: string, props: PolicyProps) {
    super(scope, id);
    Object.defineProperty(this, POLICY, { value: true });
    this.props = props;
    this.frames = captureFrames(new.target);
  }
}
