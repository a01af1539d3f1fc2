/** The resource drivers a run consults, in setup order (teardown runs in reverse). */
import type { ResourceDriver } from '../resource/types.js';
import { volumeResource } from '../volume/resource.js';
import { netDriver } from '../net/driver.js';

export const RESOURCES: readonly ResourceDriver[] = [volumeResource, netDriver];
