// The image's memory settings, and the soak running the daemon with the same ones (issue 11's RSS check).
import { describe, expect, it } from '@jest/globals';
import { imageEnv, podOldSpaceMiB } from '../../soak/image-env.js';
import { readRepoFile } from '../support/repo-files.js';

describe('image memory settings', () => {
  const env = imageEnv(readRepoFile('Dockerfile'));

  it('caps the young generation at 16 MiB per semi-space', () => {
    expect(env.NODE_OPTIONS).toBe('--max-semi-space-size=16');
  });

  // Without fixed thresholds glibc's dynamic mmap threshold moves large freed buffers into per-thread arenas
  // that are never trimmed: the soak's RSS kept creeping after warm-up.
  it('fixes glibc mmap and trim thresholds at 128 KiB', () => {
    expect(env.MALLOC_MMAP_THRESHOLD_).toBe('131072');
    expect(env.MALLOC_TRIM_THRESHOLD_).toBe('131072');
  });

  it('reads every NODE_OPTIONS and MALLOC_* setting of ENV lines, and nothing else', () => {
    const dockerfile =
      'ENV NODE_ENV=production\nENV NODE_OPTIONS=--x=1\nENV MALLOC_A_=1 MALLOC_B_=2\n# ENV MALLOC_C_=3\n';
    expect(imageEnv(dockerfile)).toEqual({ NODE_OPTIONS: '--x=1', MALLOC_A_: '1', MALLOC_B_: '2' });
  });
});

describe('the heap the soak gives the daemon', () => {
  // In a pod Node sizes V8 from the cgroup limit: old generation = limit / 4 × 2 on 64-bit, at least 256 MiB.
  it('is the old generation V8 derives from the memory limit', () => {
    expect(podOldSpaceMiB('512Mi')).toBe(256);
    expect(podOldSpaceMiB('1Gi')).toBe(512);
    expect(podOldSpaceMiB('2G')).toBe(953);
    expect(podOldSpaceMiB('256Mi')).toBe(256);
  });

  it('refuses a limit it cannot read', () => {
    expect(() => podOldSpaceMiB('512m')).toThrow('512m');
  });
});
