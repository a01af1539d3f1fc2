/** One line of `cgbox doctor`: a feature, whether this host has it, and the fix when not. */
export interface Check {
  feature: string;
  ok: boolean;
  /** Every run needs it: a failed essential check makes `cgbox doctor` exit 1. */
  essential: boolean;
  detail: string;
  /** What to do about it: a kernel parameter, a Debian package, a setting. Set when !ok. */
  fix?: string;
}

export function check(feature: string, ok: boolean, essential: boolean, detail: string, fix: string): Check {
  return ok ? { feature, ok, essential, detail } : { feature, ok, essential, detail, fix };
}
