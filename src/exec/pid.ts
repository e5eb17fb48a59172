// Whether a process id names a live process on this host (lock holders, restore journals, the
// sandbox's server). EPERM means it exists but belongs to someone else: alive.
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
