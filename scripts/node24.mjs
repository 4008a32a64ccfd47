// `node scripts/node24.mjs` ensures a Node >= 24 (installing node-<platform>-<arch>@24 into .cache when the
// running node is older) and prints its bin directory, e.g. `export PATH="$(node scripts/node24.mjs):$PATH"`.
import { ensureNode24 } from './lib/node24.mjs';

const node = ensureNode24();
process.stdout.write(`${node.binDir}\n`);
