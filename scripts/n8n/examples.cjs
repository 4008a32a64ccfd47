// The example workflows (examples/*.json) and the demo credential reference, adapted to a running demo
// emulator: the examples are written for org "ttd", app "demo-app" and the credential
// "altinnDemoCred01"; loadExamples swaps in the seeded org/app and the given credential.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

const EXAMPLES = [
	{ file: 'examples/download-and-confirm-new-submissions.json', id: 'altinnExDownld1' },
	{ file: 'examples/instantiate-with-prefill-and-attachment.json', id: 'altinnExInstnt1' },
	{ file: 'examples/onboard-customer-with-system-user.json', id: 'altinnExSysUsr1' },
];
const DEMO_CREDENTIAL = { id: 'altinnDemoCred01', name: 'Maskinporten demo (local emulator)', type: 'maskinportenApi' };

function deepMap(value, fn) {
	if (Array.isArray(value)) return value.map((v) => deepMap(v, fn));
	if (value && typeof value === 'object') {
		const out = {};
		for (const [k, v] of Object.entries(value)) out[k] = deepMap(v, fn);
		return out;
	}
	return fn(value);
}

/**
 * @param {{ info: { org: string, app: string, partyId: number }, emulatorUrl: string, credential?: { id: string, name: string } }} opts
 */
function loadExamples({ info, emulatorUrl, credential = DEMO_CREDENTIAL }) {
	const swap = (s) => {
		if (typeof s !== 'string') return s;
		return s
			.replace(/\bttd\/demo-app\b/g, `${info.org}/${info.app}`)
			.replace(/^ttd$/, info.org)
			.replace(/^demo-app$/, info.app)
			.replace(/__PARTY_ID__/g, String(info.partyId))
			.replace(/__EMULATOR_URL__/g, emulatorUrl);
	};
	const workflows = EXAMPLES.map(({ file, id }) => {
		const wf = JSON.parse(readFileSync(path.join(root, file), 'utf8'));
		const nodes = wf.nodes.map((n) => ({
			...n,
			parameters: deepMap(n.parameters ?? {}, swap),
			...(n.credentials?.maskinportenApi ? { credentials: { ...n.credentials, maskinportenApi: { id: credential.id, name: credential.name } } } : {}),
		}));
		return { ...wf, id, nodes, active: false };
	});
	return { credential: { ...DEMO_CREDENTIAL, ...credential, type: 'maskinportenApi' }, workflows };
}

/** A short human summary of an `n8n execute --rawOutput` run: per node, items and binary file names. */
function summariseRun(run, cliResult) {
	if (!run) {
		return { ok: false, text: `n8n gave no run data (exit ${cliResult?.code}).\n${String(cliResult?.stderr || '').trim().split('\n').slice(-15).join('\n')}` };
	}
	const rd = run.data?.resultData ?? {};
	const lines = [];
	for (const [name, runs] of Object.entries(rd.runData ?? {})) {
		const last = runs[runs.length - 1];
		if (last.error) {
			lines.push(`  ✗ ${name}: ${last.error.message}${last.error.description ? ` — ${last.error.description}` : ''}`);
			continue;
		}
		const items = last.data?.main?.[0] ?? [];
		const files = items.flatMap((i) => Object.values(i.binary ?? {}).map((b) => b.fileName ?? '(unnamed)'));
		lines.push(`  ✓ ${name}: ${items.length} item(s)${files.length ? `, files: ${files.join(', ')}` : ''}`);
		const sample = items[0]?.json;
		if (sample) lines.push(`      first item: ${JSON.stringify(sample).slice(0, 200)}`);
	}
	if (rd.error) lines.push(`  error: ${rd.error.message}${rd.error.description ? ` — ${rd.error.description}` : ''}`);
	return { ok: !rd.error && (cliResult?.code ?? 0) === 0, text: lines.join('\n') };
}

module.exports = { loadExamples, summariseRun, DEMO_CREDENTIAL, EXAMPLES };
