/**
 * Preloaded into the proxy process by the soak and the peer benchmark
 * (`node --require dist/bench/soak-probe.js dist/src/main.js`): answers the IPC "sample" message with the
 * process's heap figures and event-loop delay since the last sample, which /proc cannot tell, and exits
 * cleanly on "exit" (so `--cpu-prof` writes its profile). It does nothing unless the process has an IPC
 * channel, and nothing in cluster workers (the primary answers; RSS of the whole tree comes from /proc).
 */
import cluster from 'node:cluster';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeSample {
  type: 'soak-sample';
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

if (typeof process.send === 'function' && !cluster.isWorker) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (message: unknown) => {
    const type = (message as { type?: string } | null)?.type;
    if (type === 'soak-exit') process.exit(0);
    if (type !== 'soak-sample') return;
    const m = process.memoryUsage();
    const sample: ProbeSample = {
      type: 'soak-sample',
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      rss: m.rss,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
    };
    loop.reset();
    process.send!(sample);
  });
  // An orphaned proxy would hold its port and database: when the soak goes away, shut down gracefully.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
