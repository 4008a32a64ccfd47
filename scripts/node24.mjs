// `node scripts/node24.mjs` ensures a Node >= 24 (installing the exact version in .node-version into the cache
// when the running node is older) and prints its bin directory, e.g. `export PATH="$(node scripts/node24.mjs):$PATH"`.
// On failure it prints one line saying what to install, never a stack trace.
import { ensureNode24 } from './lib/node24.mjs';

try {
	const node = ensureNode24();
	process.stdout.write(`${node.binDir}\n`);
} catch (error) {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
}
