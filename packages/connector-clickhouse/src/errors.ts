/**
 * Old servers word errors as `Code: 193, e.displayText() = …`, which the client does not
 * parse; this lifts the number into `code` so Sparkle's error classification sees it.
 */
export function withServerCode(error: unknown): unknown {
  if (error instanceof Error && (error as { code?: unknown }).code === undefined) {
    const m = /Code: (\d+)/.exec(error.message);
    if (m) Object.assign(error, { code: m[1] });
  }
  return error;
}
