import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

// Nice value for threads whose timing is the measurement: the pusher's clock and the probe's
// arrival stamps. -10 wins the CPU from ordinary work without starving the system.
const realtimeNice = -10;

/**
 * Raises the calling thread's scheduling priority where the OS allows it (Linux, as root), so a
 * busy machine delays media less; elsewhere it changes nothing and says so.
 */
export function raiseThreadPriority(): boolean {
  try {
    // /proc/thread-self → "<pid>/task/<tid>": setpriority() on a TID changes only that thread.
    const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
    setPriority(tid, realtimeNice);
    return true;
  } catch {
    return false;
  }
}
