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
// BENCH_PROBE_TIMELINE=1: one line per 250 ms with RSS, V8 heap and external memory (MiB).
if (process.env.BENCH_PROBE_TIMELINE === '1') {
  const t0 = performance.now();
  const mib = (b: number) => Math.round(b / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(
      `timeline ${((performance.now() - t0) / 1000).toFixed(2)}s rss ${mib(m.rss)} heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} external ${mib(m.external)}\n`,
    );
  }, 250).unref();
}
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
