// Preloaded into a child process (`node --import sync-rss-probe.js dist/main.js …`): on exit it writes the
// process's peak RSS and CPU time, plus the peaks of V8 heap and off-heap memory sampled every 50 ms, as one
// JSON line on stderr, so a bench can measure the real CLI from outside.
const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
const sample = () => {
  const m = process.memoryUsage();
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
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
});
