import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory of the runledger package a module belongs to: this checkout, or
 * node_modules/runledger when installed. Found by walking up rather than by a fixed `../..`,
 * because the same code runs from its source (infra/...) and from the build's bundles (dist/...,
 * dist/chunks/...), which sit at different depths.
 */
export function packageRoot(moduleUrl: string): string {
  for (let dir = dirname(fileURLToPath(moduleUrl)); ; dir = dirname(dir)) {
    if (isRunledgerPackage(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no runledger package.json above ${fileURLToPath(moduleUrl)}`);
  }
}

function isRunledgerPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  const manifest: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return typeof manifest === 'object' && manifest !== null && 'name' in manifest && manifest.name === 'runledger';
}
