/**
 * cgbox's own init runs as pid 1 inside the sandbox's cgroups, so it counts
 * as a task. pids.max is written as the user's limit plus this, and pids.peak
 * is reported minus this: `.pids(32)` means 32 tasks of the user's own.
 */
export const INIT_TASKS = 1;
