// The limits every limited case gets (cgbox, runc, systemd-run), so that they do the same work.
export const LIMITS = { memory: '64M', memoryBytes: 64 * 2 ** 20, pids: 64, cpuQuota: 1 };

// Docker's default capabilities: what cgbox's default sandbox keeps (its own list), given to the peers alike.
export { DEFAULT_CAPABILITIES as DOCKER_CAPS } from '../../../dist/spec/view.js';
