import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINIMUM_NODE_VERSION, unsupportedNodeReason } from '../../src/app/supported-node';

describe('the supported Node.js', () => {
  it('is the one package.json declares, and .nvmrc pins a 24 LTS at least that new', () => {
    const root = join(__dirname, '..', '..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE_VERSION.replace(/\.0$/, '')}`);
    const pinned = readFileSync(join(root, '.nvmrc'), 'utf8').trim();
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(unsupportedNodeReason(pinned)).toBeUndefined();
  });

  it('refuses an older Node.js, naming the version needed and the one found', () => {
    expect(unsupportedNodeReason('v20.20.2')).toBe(
      'Refinery needs Node.js 22.12.0 or newer (24 LTS recommended); this is Node.js 20.20.2. scripts/ensure-node.sh installs Node.js 24 and prints the PATH to use.',
    );
    expect(unsupportedNodeReason('22.11.9')).toMatch(/needs Node\.js 22\.12\.0 or newer/);
  });

  it('accepts 22.12 and anything newer', () => {
    for (const version of ['22.12.0', 'v22.23.5', '23.0.0', '24.22.3', '26.1.0']) expect(unsupportedNodeReason(version)).toBeUndefined();
  });

  it('lets this test run only on a supported Node.js', () => {
    expect(unsupportedNodeReason()).toBeUndefined();
  });
});
