/**
 * One line of a JSON Lines file the local stack appends to. A crash mid-append can tear the last
 * line: that line reads as undefined (not written) instead of failing the whole file.
 */
export function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error: unknown) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
