import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGES = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];

/** Markdown links `[text](target)` that are not web addresses or in-page anchors: relative, or from the repository root. */
function relativeLinks(page: string): string[] {
  const text = readFileSync(join(REPO, page), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');
}

describe('README and docs/', () => {
  it.each(PAGES)('%s links only to files of this repository that exist', (page) => {
    const broken = relativeLinks(page).filter((target) => {
      // `/x` is the repository's root (as GitHub resolves it): docs/ link to code that way.
      const file = target.startsWith('/') ? join(REPO, target) : resolve(REPO, dirname(page), target);
      return relative(REPO, file).startsWith('..') || !existsSync(file);
    });
    expect(broken).toEqual([]);
  });

  it('writes the contract out in the repository instead of pointing at a brief users do not have', () => {
    for (const page of PAGES) expect(readFileSync(join(REPO, page), 'utf8')).not.toMatch(/BRIEF\.md/);
    const contract = readFileSync(join(REPO, 'docs', 'contract.md'), 'utf8');
    for (const section of ['Event envelope', 'Sequencing and idempotency', 'Request-level errors']) expect(contract).toContain(section);
  });
});
