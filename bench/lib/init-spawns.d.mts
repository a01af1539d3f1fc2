/** The init helper's starts by this process, counted once countInitSpawns() ran (init-spawns.mjs). */
export declare const initSpawns: { standby: number; cold: number };
export declare function countInitSpawns(): void;
