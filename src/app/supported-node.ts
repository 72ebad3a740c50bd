/** The oldest Node.js Refinery runs on; package.json's "engines" says the same (a test keeps them equal). */
export const MINIMUM_NODE_VERSION = '22.12.0';

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
}

/** Why this Node.js cannot run the service, or undefined when it can. */
export function unsupportedNodeReason(version: string = process.versions.node): string | undefined {
  const have = parts(version);
  const need = parts(MINIMUM_NODE_VERSION);
  for (let i = 0; i < need.length; i += 1) {
    const h = have[i] ?? 0;
    const n = need[i] ?? 0;
    if (h > n) return undefined;
    if (h < n) {
      return `Refinery needs Node.js ${MINIMUM_NODE_VERSION} or newer (24 LTS recommended); this is Node.js ${version.replace(/^v/, '')}. scripts/ensure-node.sh installs Node.js 24 and prints the PATH to use.`;
    }
  }
  return undefined;
}
