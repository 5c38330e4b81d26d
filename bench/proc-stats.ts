/**
 * Memory and CPU of a process and all its descendants (cluster workers included), read from Linux /proc,
 * so a benchmark can measure another process without its cooperation.
 */
import { readFileSync, readdirSync } from 'node:fs';

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function sumTree(pid: number, of: (pid: number) => number): number {
  let sum = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    sum += of(p);
    queue.push(...childrenOf(p));
  }
  return sum;
}

/** VmRSS of the tree, bytes; 0 once it is gone. */
export function treeRss(pid: number): number {
  return sumTree(pid, (p) => {
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  });
}

/** User + system CPU time of the tree so far, ms (clock ticks of 10 ms). */
export function treeCpuMs(pid: number): number {
  return (
    10 *
    sumTree(pid, (p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[11]) + Number(fields[12]); // utime, stime
      } catch {
        return 0;
      }
    })
  );
}
