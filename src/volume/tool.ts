/** Volumes' host commands, through the one tool runner; a failure is a SetupError of the step 'volume'. */
import { mustRun } from '../host/run-tool.js';

export { tryRun } from '../host/run-tool.js';

export const run = (file: string, args: readonly string[]): Promise<string> => mustRun('volume', file, args);
