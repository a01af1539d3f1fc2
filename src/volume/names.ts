/**
 * Every volume object carries its run's name, cgbox-<owner pid>-<hex>, plus
 * a suffix saying what it is (-v0: the first volume, -root: a rootfs copy,
 * -tmpl: a template being built, -spare: a spare btrfs volume), so the
 * reaper can tell whose it is.
 */
import { newRunName, pidGone } from '../host/owners.js';

const OBJECT = /^(cgbox-(\d+)-[0-9a-f]+)(?:-(v\d+|root|tmpl|spare))?(?:\.img)?$/;

export const volumeName = (run: string, index: number) => `${run}-v${index}`;
export const rootName = (run: string) => `${run}-root`;
export const templateBuildName = (run: string) => `${run}-tmpl`;

/** The run an object belongs to, or undefined when the name is not one of cgbox's. */
export function runOf(name: string): string | undefined {
  return OBJECT.exec(name)?.[1];
}

/** True when the object's owner process is gone (or `all`): the reaper may remove it. */
export function reapable(name: string, all: boolean): boolean {
  const m = OBJECT.exec(name);
  if (!m) return false;
  if (all) return true;
  const owner = Number(m[2]);
  return owner !== process.pid && pidGone(owner);
}

/** A name of the run form for work outside any run (making a template from the public API). */
export const adHocRunName = newRunName;
