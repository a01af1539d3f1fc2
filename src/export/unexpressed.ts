/**
 * What an engine cannot express of a sandbox: never dropped silently. Each
 * export returns its list, writes it into an annotation of the object it
 * makes (so the object itself carries it to whoever runs it), and the CLI
 * prints it on stderr.
 */

/** One part of a sandbox an engine does not express exactly. */
export interface Unexpressed {
  /** The part of the sandbox, by the builder's name: '.iops(/dev/vda)', '.swap()', 'the init'. */
  what: string;
  /** dropped: the engine does nothing of it. approximated: it does something near, said in `instead`. */
  effect: 'dropped' | 'approximated';
  /** Why the engine cannot. */
  why: string;
  /** What the engine does instead, and what would get the rest. */
  instead: string;
}

/** The annotation that carries the list, as JSON, on the config.json or the Job. */
export const UNEXPRESSED_ANNOTATION = 'cgbox.dev/unexpressed';

export function unexpressedAnnotation(list: readonly Unexpressed[]): Record<string, string> {
  return list.length ? { [UNEXPRESSED_ANNOTATION]: JSON.stringify(list) } : {};
}

/** The list for a person: one line per entry, what first. */
export function formatUnexpressed(engine: string, list: readonly Unexpressed[]): string {
  if (!list.length) return `everything of the sandbox is expressed in the ${engine}\n`;
  const lines = list.map((u) => `  - ${u.what} (${u.effect}): ${u.why}; instead: ${u.instead}`);
  return `${list.length} part${list.length === 1 ? '' : 's'} of the sandbox ${list.length === 1 ? 'is' : 'are'} not expressed exactly in the ${engine}:\n${lines.join('\n')}\n`;
}
