import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/**
 * The lines of an append-only JSONL journal, each parsed with `schema`; none when the file does not
 * exist. Only the last line may be torn (a crash or power loss mid-append) and is skipped; a bad
 * line anywhere else is damage and throws, naming the file and line.
 */
export function readJsonLines<T>(file: string, schema: z.ZodType<T>): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  const parsed: T[] = [];
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    try {
      parsed.push(schema.parse(JSON.parse(line)));
    } catch (error: unknown) {
      if (index >= lines.length - 2) continue;
      throw new Error(`${file} line ${index + 1} is not a journal line`, { cause: error });
    }
  }
  return parsed;
}
