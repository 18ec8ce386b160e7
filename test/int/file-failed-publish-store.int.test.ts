import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFailedPublishStore } from '#adapters/file/file-failed-publish-store.ts';
import { describeFailedPublishStoreContract } from '#test/contract/failed-publish-store.contract.ts';

const freshDir = () => join(mkdtempSync(join(tmpdir(), 'relay-failures-')), 'relay-failures');

describeFailedPublishStoreContract('files', () => Promise.resolve(new FileFailedPublishStore({ dir: freshDir() })));

describe('FileFailedPublishStore', () => {
  it('writes one JSON file per failure, with no temporary file left behind', async () => {
    const dir = freshDir();
    await new FileFailedPublishStore({ dir }).record([
      { tenant: 'acme', runId: 'r', seqs: [4], types: ['run.failed'], reason: 'x', failedAt: '2026-11-23T10:00:00.000Z' },
      { tenant: 'acme', runId: 's', seqs: [1], types: ['run.failed'], reason: 'x', failedAt: '2026-11-23T10:00:00.000Z' },
    ]);
    const files = readdirSync(dir);
    expect(files).toHaveLength(2);
    expect(files.every((file) => /^20261123100000000-[0-9a-f-]+\.json$/.test(file))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, files[0] ?? ''), 'utf8'))).toMatchObject({ tenant: 'acme', seqs: [expect.any(Number)] });
  });

  it('is read by a new instance (another process, after a restart)', async () => {
    const dir = freshDir();
    await new FileFailedPublishStore({ dir }).record([{ tenant: 'acme', runId: 'r', seqs: [4], types: ['run.failed'], reason: 'x', failedAt: '2026-11-23T10:00:00.000Z' }]);
    const later = new FileFailedPublishStore({ dir });
    expect((await later.receive(10)).map((kept) => kept.failure.runId)).toEqual(['r']);
  });

  it('counts nothing before anything failed (no directory yet)', async () => {
    expect(await new FileFailedPublishStore({ dir: freshDir() }).count()).toBe(0);
  });
});
