/** The resource drivers a run consults, in setup order (teardown runs in reverse). */
import type { ResourceDriver } from './resource.js';

export const RESOURCES: readonly ResourceDriver[] = [];
