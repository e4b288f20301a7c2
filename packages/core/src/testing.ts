/**
 * Helpers for construct authors' tests: synthesize a Cluster and inspect its graph the way
 * `berth synth` would, without files or a CLI.
 *
 * @example
 * const app = new App();
 * const c = new Cluster(app, 'test');
 * new WebApp(c, 'web', { image: 'busybox:1.36' });
 * const graph = Testing.synth(c);
 * expect(graph.resources.map((r) => r.kind)).toContain('Service');
 */
import { App } from './tree/app.ts';
import type { Cluster } from './tree/cluster.ts';
import type { GraphJson, ResourceJson } from './graph/schema.ts';
import type { SourceReader } from './synth/source-reader.ts';
import { synthesize } from './synth/synthesize.ts';

export const Testing = {
  /** A fresh App with one Cluster named `id`. */
  cluster(id = 'test'): Cluster {
    const app = new App();
    // Imported lazily to keep the module graph acyclic for bundlers.
    return new ClusterCtor(app, id);
  },
  /** Synthesizes the App around `cluster` and returns that cluster's graph; throws SynthFailure on problems. */
  synth(cluster: Cluster, options: { reader?: SourceReader } = {}): GraphJson {
    const app = App.of(cluster);
    const { graphs } = synthesize(app, options.reader ? { reader: options.reader } : {});
    const g = graphs.find((x) => x.cluster === cluster.node.id);
    return g as GraphJson;
  },
  /** The resource with `id` in `graph`; throws when absent. */
  resource(graph: GraphJson, id: string): ResourceJson {
    const r = graph.resources.find((x) => x.id === id);
    if (!r) throw new RangeError(`no resource "${id}" in graph; ids: ${graph.resources.map((x) => x.id).join(', ')}`);
    return r;
  },
};

import { Cluster as ClusterCtor } from './tree/cluster.ts';
