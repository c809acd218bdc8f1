// Preloaded into a child process (`node --import sync-rss-probe.js dist/main.js …`): on exit it writes the
// process's peak RSS and CPU time, plus the peaks of V8 heap and off-heap memory sampled every 50 ms, as one
// JSON line on stderr, so a bench can measure the real CLI from outside.
const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
let atPeakRss: NodeJS.MemoryUsage | undefined;
let peakAtMs = 0;
const sample = () => {
  const m = process.memoryUsage();
  if (!atPeakRss || m.rss > atPeakRss.rss) {
    atPeakRss = m;
    peakAtMs = performance.now();
  }
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.external = Math.max(peak.external, m.external);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
};
setInterval(sample, 50).unref();
process.on('exit', () => {
  sample();
  const kb = (bytes: number) => Math.round(bytes / 1024);
  const usage = process.resourceUsage();
  const line = {
    benchPeakRssKb: usage.maxRSS,
    cpuUserUs: usage.userCPUTime,
    cpuSystemUs: usage.systemCPUTime,
    peakHeapUsedKb: kb(peak.heapUsed),
    peakExternalKb: kb(peak.external),
    peakArrayBuffersKb: kb(peak.arrayBuffers),
    // What the sampled RSS peak was made of (V8 heap committed and used, off-heap).
    atPeakRss: atPeakRss && {
      rssKb: kb(atPeakRss.rss),
      heapTotalKb: kb(atPeakRss.heapTotal),
      heapUsedKb: kb(atPeakRss.heapUsed),
      externalKb: kb(atPeakRss.external),
      arrayBuffersKb: kb(atPeakRss.arrayBuffers),
      secondsAfterStart: Math.round(peakAtMs / 100) / 10,
    },
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
});
