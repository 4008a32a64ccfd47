import { startAltinnEnv } from './bench/env';
import { benchFiles } from './bench/files';
async function main() { const env = await startAltinnEnv(); try { await benchFiles(env, Number(process.env.MBS ?? 32)); } finally { await env.close(); } }
main().catch((e) => { console.error(e); process.exit(1); });
