/** The shaping modes, one file each; the first is the default. Adding one is a file and an entry here. */
import { bridgeShaping } from './shaping-bridge.js';
import type { ShapingMode } from './shaping-mode.js';
import { vethShaping } from './shaping-veth.js';

export const SHAPING_MODES = [vethShaping, bridgeShaping] as const satisfies readonly ShapingMode[];

export type ShapingModeName = (typeof SHAPING_MODES)[number]['name'];

export const SHAPING_MODE_NAMES: readonly ShapingModeName[] = SHAPING_MODES.map((m) => m.name);

export function shapingMode(name: string): ShapingMode | undefined {
  return SHAPING_MODES.find((m) => m.name === name);
}
