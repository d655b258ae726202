import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every mainstream arch). */
const TICKS_PER_SECOND = 100;

export interface ProcSample {
  readonly at: number;
  /** Resident set size in bytes (VmRSS). */
  readonly rssBytes: number;
  /** User + system CPU time in milliseconds. */
  readonly cpuMs: number;
}

/** RSS and CPU time of a process from /proc (the server under test, a peer, a generator). */
export function sampleProcess(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (rss?.[1] === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, so 11 and 12 after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return {
    at: performance.now(),
    rssBytes: Number(rss[1]) * 1024,
    cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND,
  };
}

/** Summed over several processes (a system may be more than one, e.g. two cluster nodes). */
export function sampleProcesses(pids: readonly number[]): ProcSample {
  let rssBytes = 0;
  let cpuMs = 0;
  for (const pid of pids) {
    const s = sampleProcess(pid);
    rssBytes += s.rssBytes;
    cpuMs += s.cpuMs;
  }
  return { at: performance.now(), rssBytes, cpuMs };
}

/** CPU use between two samples, in percent of one core. */
export function cpuPercent(before: ProcSample, after: ProcSample): number {
  const wall = after.at - before.at;
  return wall <= 0 ? 0 : ((after.cpuMs - before.cpuMs) / wall) * 100;
}
