// Where a construct was made: the frames core captures, with and without a loader's own-frame test.
import { afterEach, describe, expect, it } from 'vitest';
import { App, Cluster, Deployment, setOwnFrameTest, type RawFrames } from '@berth/core';

const framesOf = (d: Deployment): RawFrames => (d as unknown as { frames: RawFrames }).frames;

// A helper standing for a construct library: the Deployment is made here, for the caller.
function library(c: Cluster, id: string): Deployment {
  return new Deployment(c, id, { image: 'busybox:1' });
}

describe('construct locations', () => {
  afterEach(() => setOwnFrameTest(undefined));

  it('without a test, keeps the caller and the frames above it (up to four)', () => {
    const c = new Cluster(new App(), 'loc');
    const frames = framesOf(library(c, 'a'));
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.length).toBeLessThanOrEqual(4);
    expect(frames[0]?.file).toMatch(/location\.test\.ts$/);
    expect(frames[1]?.line).toBeGreaterThan(frames[0]?.line ?? 0);
  });

  it('with a test that calls the caller own code, keeps that one frame, the same as the first of the full capture', () => {
    const c = new Cluster(new App(), 'loc');
    const full = framesOf(library(c, 'a'));
    const asked: Array<[string, number, number]> = [];
    setOwnFrameTest((file, line, column) => {
      asked.push([file, line, column]);
      return true;
    });
    const one = framesOf(library(c, 'b'));
    expect(one).toEqual([full[0]]);
    expect(asked).toEqual([[full[0]?.file, full[0]?.line, full[0]?.column]]);
    // Constructs made at one position share one frozen list.
    expect(framesOf(library(c, 'c'))).toBe(one);
    expect(Object.isFrozen(one)).toBe(true);
  });

  it('with a test that calls the caller library code, captures the frames above it as before', () => {
    const c = new Cluster(new App(), 'loc');
    const full = framesOf(library(c, 'a'));
    setOwnFrameTest((_file, line) => line !== full[0]?.line);
    const again = framesOf(library(c, 'b'));
    expect(again.length).toBe(full.length);
    expect(again[0]).toEqual(full[0]);
    // The caller of the library: this line, not the one that made 'a'.
    expect(again[1]?.file).toBe(full[1]?.file);
    expect(again[1]?.line).toBeGreaterThan(full[1]?.line ?? 0);
    expect(again.slice(2)).toEqual(full.slice(2));
  });
});
