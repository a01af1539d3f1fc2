/**
 * Every promise cgbox hands out keeps the Node process alive until it
 * settles. Much of what cgbox waits on is deliberately unreferenced — a spare
 * sandbox's init and pipes, the command shells — so that an idle cgbox never
 * holds a process open; but a caller awaiting releaseStandby() while a spare
 * is still being made would otherwise see Node exit at the await, silently,
 * with status 0. One referenced timer stands for all pending promises.
 */
let pending = 0;
let holder: NodeJS.Timeout | undefined;

export function keepAlive<T>(work: Promise<T>): Promise<T> {
  if (pending++ === 0) holder = setInterval(() => {}, 2 ** 31 - 1);
  return work.finally(() => {
    if (--pending === 0) clearInterval(holder);
  });
}
