// Imported first by main.ts and cli.ts: on an older Node.js the service stops here, naming the
// version it needs, before loading anything that would fail in a less telling way.
import { unsupportedNodeReason } from './supported-node';

const reason = unsupportedNodeReason();
if (reason) {
  process.stderr.write(`${reason}\n`);
  process.exit(1);
}
