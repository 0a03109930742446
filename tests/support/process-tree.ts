import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * What a process and its descendants hold, read from Linux's /proc: which processes they are and which
 * TCP ports they listen on. For tests that check that stopping something leaves nothing behind.
 */

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** R, S, D, Z (zombie: exited, not yet reaped) … */
  readonly state: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (2nd field) is in parentheses and may hold spaces: read after its last ')'.
    const [state = "", ppid = ""] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(ppid), state };
  } catch {
    return undefined; // gone meanwhile
  }
}

function allProcesses(): ProcStat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== undefined);
}

/** `root` and every process below it (children, their children …), whatever their process group. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allProcesses()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** True while `pid` exists and has not exited (a zombie has exited). */
export function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== "Z";
}

/** Socket inodes of `pid`'s open file descriptors. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** TCP ports (IPv4 and IPv6) on which the given processes listen. */
export function listeningPorts(pids: readonly number[]): number[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl, local_address, rem_address, st, …, inode (10th)
      if (cols[3] !== "0A" || !inodes.has(cols[9] ?? "")) continue;
      ports.add(parseInt((cols[1] ?? "").split(":").pop() ?? "", 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
