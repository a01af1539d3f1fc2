// The limits every limited case gets (cgbox, runc, systemd-run), so that they do the same work.
export const LIMITS = { memory: '64M', memoryBytes: 64 * 2 ** 20, pids: 64, cpuQuota: 1 };

// Docker's default capabilities: what cgbox's default sandbox keeps, given to the peers alike.
export const DOCKER_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'];
