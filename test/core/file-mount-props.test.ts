/** uid, gid and mode on Secret and Config mounts: in the graph when set, bad values located; the engine's defaults. */
import { describe, expect, it } from 'vitest';
import { App, Cluster, Config, Deployment, DeploymentSpec, Secret, SynthFailure, synthesize, type DeploymentProps } from '@berth/core';
import { Testing } from '@berth/core/testing';
import { fileOwner } from '../../packages/engine/src/execute/resolve.ts';

describe('Secret and Config mount owner and mode', () => {
  it('reach the graph as given, and are absent when not set', () => {
    const c = Testing.cluster();
    const s = new Secret(c, 'pw', { fromEnv: 'PW' });
    const k = new Config(c, 'conf', { data: 'x' });
    new Deployment(c, 'web', {
      image: 'nginx:1',
      mounts: [
        { secret: s, path: '/run/secrets/pw', uid: 1000, gid: 1001, mode: 0o440 },
        { config: k, path: '/etc/app.conf' },
      ],
    });
    const props = Testing.resource(Testing.synth(c), 'web').props as { mounts: Array<Record<string, unknown>> };
    expect(props.mounts[0]).toMatchObject({ uid: 1000, gid: 1001, mode: 0o440 });
    expect(props.mounts[1]).not.toHaveProperty('mode');
    expect(props.mounts[1]).not.toHaveProperty('uid');
    expect(DeploymentSpec.safeParse(props).success).toBe(true);
  });

  it('a bad uid, gid or mode is a located prop error', () => {
    const app = new App();
    const c = new Cluster(app, 'prod');
    const s = new Secret(c, 'pw', { fromEnv: 'PW' });
    new Deployment(c, 'web', { image: 'nginx:1', mounts: [{ secret: s, path: '/run/secrets/pw', uid: -1, gid: 1.5, mode: 0o1777 }] } as DeploymentProps);
    let diags: SynthFailure['diagnostics'] = [];
    try {
      synthesize(app);
    } catch (e) {
      if (!(e instanceof SynthFailure)) throw e;
      diags = e.diagnostics;
    }
    expect(diags.length).toBeGreaterThan(0);
    for (const d of diags) {
      expect(d.constructPath).toBe('prod/web');
      expect(d.location?.file).toMatch(/file-mount-props\.test\.ts$/);
    }
    expect(diags.map((d) => `${d.property ?? ''} ${d.message}`).join('\n')).toMatch(/mounts/);
  });

  it('a mode out of range is shown in octal with an octal example; two mounts at one path are refused', () => {
    const app = new App();
    const c = new Cluster(app, 'prod');
    const s = new Secret(c, 'pw', { fromEnv: 'PW' });
    const k = new Config(c, 'conf', { data: 'x' });
    new Deployment(c, 'web', { image: 'nginx:1', mounts: [{ secret: s, path: '/run/secrets/pw', mode: 0o1777 }] });
    new Deployment(c, 'api', { image: 'nginx:1', mounts: [{ config: k, path: '/etc/a.conf' }, { config: k, path: '/etc/a.conf' }] });
    new Deployment(c, 'worker', { image: 'nginx:1', env: { 'BAD-NAME': 'x' } } as DeploymentProps);
    let diags: SynthFailure['diagnostics'] = [];
    try {
      synthesize(app);
    } catch (e) {
      if (!(e instanceof SynthFailure)) throw e;
      diags = e.diagnostics;
    }
    const by = (p: string) => diags.find((d) => d.property === p);
    expect(by('mounts[0].mode')?.message).toBe('mounts[0].mode: must be permission bits between 0o0 and 0o777, got 0o1777');
    expect(by('mounts[0].mode')?.hint).toMatch(/mode: 0o440/);
    expect(by('mounts[1].path')).toMatchObject({ constructPath: 'prod/api', message: 'mounts[1].path: "/etc/a.conf" is already mounted by mounts[0]' });
    expect(by('mounts[1].path')?.hint).toMatch(/mount each path once/);
    expect(diags.find((d) => d.property?.startsWith('env'))?.hint).toContain('"BAD_NAME"');
    for (const d of diags) expect(d.location?.file).toMatch(/file-mount-props\.test\.ts$/);
  });

  it('the engine defaults the owner to a numeric user, so a non-root container can read its secret', () => {
    expect(fileOwner({}, undefined, 0o400)).toEqual({ uid: 0, gid: 0, mode: 0o400 });
    expect(fileOwner({}, '1000', 0o400)).toEqual({ uid: 1000, gid: 1000, mode: 0o400 });
    expect(fileOwner({}, '1000:2000', 0o444)).toEqual({ uid: 1000, gid: 2000, mode: 0o444 });
    // A user by name lives in the image's /etc/passwd, which the engine cannot read: root, unless told.
    expect(fileOwner({}, 'node', 0o400)).toEqual({ uid: 0, gid: 0, mode: 0o400 });
    expect(fileOwner({ uid: 5 }, '1000:2000', 0o400)).toEqual({ uid: 5, gid: 5, mode: 0o400 });
    expect(fileOwner({ uid: 5, gid: 6, mode: 0o440 }, '1000', 0o400)).toEqual({ uid: 5, gid: 6, mode: 0o440 });
  });
});
