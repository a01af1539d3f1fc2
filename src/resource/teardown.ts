/**
 * The undo stack of a run: every setup step pushes its undo as soon as it has
 * done something, and teardown runs them all in reverse order, whatever
 * failed, collecting errors instead of stopping at the first.
 */
export class Teardown {
  private readonly undos: Array<{ step: string; undo: () => Promise<void> }> = [];

  push(step: string, undo: () => Promise<void>): void {
    this.undos.push({ step, undo });
  }

  /** Runs every undo, newest first; returns the failures (empty when all went). */
  async run(): Promise<Error[]> {
    const errors: Error[] = [];
    for (let u = this.undos.pop(); u; u = this.undos.pop()) {
      try {
        await u.undo();
      } catch (e) {
        errors.push(e instanceof Error ? e : new Error(`${u.step}: ${String(e)}`));
      }
    }
    return errors;
  }
}
