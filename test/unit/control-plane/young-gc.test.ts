import { runInNewContext } from 'node:vm';
import { collectYoungGarbage } from '../../../src/control-plane/young-gc.js';

const MIB = 1024 * 1024;

describe('collectYoungGarbage', () => {
  it('frees the bytes of Buffers dropped since the last collection', async () => {
    collectYoungGarbage();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 32; i++) Buffer.allocUnsafe(MIB).fill(i);
    // 32 MiB of garbage stays below V8's external-memory limit, so only the scavenge frees it now. V8 may
    // free the bytes on a background thread just after the scavenge: wait up to 2 s for the count to drop
    // (V8's own idle-time GC would come later than that).
    collectYoungGarbage();
    const held = () => (process.memoryUsage().arrayBuffers - before) / MIB;
    for (let waited = 0; held() >= 4 && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(held()).toBeLessThan(4);
  });

  it('leaves no gc function to contexts created afterwards', () => {
    collectYoungGarbage();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
