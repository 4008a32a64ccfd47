// Where the e2e run keeps n8n's user folder, logs and context: outside the repository, because
// n8n writes its editor bundle (thousands of .js files) into the user folder, and `n8n-node lint`
// lints every file under the repository. One folder per checkout, so clones do not collide.
const { createHash } = require('node:crypto');
const os = require('node:os');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const e2eWorkDir = path.join(os.tmpdir(), `n8n-nodes-altinn-e2e-${createHash('sha1').update(repoRoot).digest('hex').slice(0, 10)}`);

module.exports = { e2eWorkDir };
