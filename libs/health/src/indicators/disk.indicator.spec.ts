import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nearestExistingDirectory } from './disk.indicator';

describe('nearestExistingDirectory', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-disk-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('answers an existing directory itself', async () => {
    await expect(nearestExistingDirectory(root)).resolves.toBe(root);
  });

  it('answers the closest existing ancestor of a directory not created yet', async () => {
    await expect(nearestExistingDirectory(join(root, 'data', 'media'))).resolves.toBe(root);
  });

  it('resolves a relative path against the working directory', async () => {
    await expect(nearestExistingDirectory('.')).resolves.toBe(process.cwd());
  });
});
