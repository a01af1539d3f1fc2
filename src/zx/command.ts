/**
 * The command line of b.$`…`, built as zx builds it: each interpolated value
 * quoted with zx's own quote(), an array as its quoted items joined by
 * spaces, an earlier command's output as its stdout without the final
 * newline, and promised values awaited first.
 */

/** What zx interpolates as its stdout: a zx ProcessOutput, or cgbox's. */
function isOutput(v: unknown): v is { stdout: string } {
  return typeof v === 'object' && v !== null && typeof (v as { stdout?: unknown }).stdout === 'string';
}

function substitute(v: unknown): string {
  return isOutput(v) ? v.stdout.replace(/\n$/, '') : `${v}`;
}

export async function buildCommand(quote: (arg: string) => string, pieces: TemplateStringsArray, args: readonly unknown[]): Promise<string> {
  const values = await Promise.all(args);
  let cmd = pieces[0] ?? '';
  values.forEach((v, i) => {
    cmd += (Array.isArray(v) ? v.map((x) => quote(substitute(x))).join(' ') : quote(substitute(v))) + (pieces[i + 1] ?? '');
  });
  return cmd;
}
