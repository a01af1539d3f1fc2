/** Whether the tools a backend runs are installed: looked up once on PATH, as a shell would. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const seen = new Map<string, boolean>();

export function onPath(tool: string): boolean {
  let found = seen.get(tool);
  if (found === undefined) {
    const dirs = (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter);
    found = [...dirs, '/usr/sbin', '/sbin'].some((d) => {
      try {
        accessSync(join(d, tool), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    seen.set(tool, found);
  }
  return found;
}
