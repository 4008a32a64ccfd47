// `npm start`: the package inside a real n8n, against the local Maskinporten + Altinn emulator.
//   npm start                 build, install into a cached n8n, start emulator + n8n, print the editor URL
//   npm start -- --headless   the same, but run the example workflows with `n8n execute`, print, exit
//   npm start -- --reset      import the example workflows and the demo credential again, as shipped
// Environment: N8N_CACHE_DIR (cache root, default .cache), N8N_VERSION (pin n8n), N8N_PORT (default 5678,
// or a free port), ALTINN_EMULATOR_PORT (default 5690, or a free port).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureDeps } from './lib/deps.mjs';
import { ensureN8n } from './n8n/ensure-n8n.mjs';
import { reexecUnderNode24IfNeeded } from './lib/node24.mjs';
import { installPackage } from './lib/package.mjs';
import { cacheDir, elapsed, log, repoRoot } from './lib/util.mjs';

reexecUnderNode24IfNeeded();

const require = createRequire(import.meta.url);
const rt = require('./lib/n8n-runtime.cjs');
const { loadExamples, summariseRun } = require('./n8n/examples.cjs');

const headless = process.argv.includes('--headless');
const reset = process.argv.includes('--reset');

/** The manual trigger's name in the download example (the other choice of its "Execute workflow" button). */
const MANUAL_TRIGGER = "When clicking 'Execute workflow'";

function submissionEvery() {
	const seconds = Number(process.env.ALTINN_DEMO_SUBMISSION_SECONDS ?? 60);
	return seconds > 0 ? `${seconds} s (ALTINN_DEMO_SUBMISSION_SECONDS)` : 'never (ALTINN_DEMO_SUBMISSION_SECONDS=0)';
}

async function portOr(preferred) {
	const { createServer } = await import('node:net');
	const free = await new Promise((resolve) => {
		const s = createServer();
		s.once('error', () => resolve(false));
		s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(true)));
	});
	return free ? preferred : await rt.freePort();
}

function startEmulatorChild(port, keyFile) {
	return new Promise((resolve, reject) => {
		const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [repoRoot] });
		const child = spawn(process.execPath, [tsNode, '--transpile-only', path.join(repoRoot, 'scripts/n8n/emulator-server.ts'), String(port), keyFile], {
			cwd: repoRoot,
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		child.once('message', (m) => (m?.type === 'ready' ? resolve({ child, ...m }) : reject(new Error('emulator: unexpected message'))));
		child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)));
	});
}

async function main() {
	log(headless ? 'npm start --headless: example workflows in a real n8n' : 'npm start: n8n-nodes-altinn in a real n8n');
	await ensureDeps();
	const n8n = await ensureN8n();
	log(`n8n ${n8n.version} ready in the cache`);
	const userFolder = path.join(cacheDir(), headless ? 'n8n-user-headless' : 'n8n-user');
	mkdirSync(userFolder, { recursive: true });
	installPackage(n8n.node, userFolder);

	const emuPort = await portOr(Number(process.env.ALTINN_EMULATOR_PORT || 5690));
	log(`starting the Maskinporten + Altinn emulator on port ${emuPort}…`);
	const emulator = await startEmulatorChild(emuPort, path.join(userFolder, 'demo-client-key.json'));
	log(`emulator at ${emulator.url}: service owner ${emulator.info.org} (${emulator.info.orgNumber}), apps ${Object.values(emulator.info.seed.apps).join(", ")}`);

	const port = await portOr(Number(process.env.N8N_PORT || 5678));
	const env = rt.n8nEnv({ node: n8n.node, userFolder, port, brokerPort: await rt.freePort() });
	const logFile = path.join(userFolder, 'n8n.log');

	// credential + example workflows (re-imported each run: the emulator and the demo key are new each time)
	const ex = loadExamples({ info: emulator.info, emulatorUrl: emulator.url });
	// Imported only when they changed (the emulator URL and the demo key are kept between starts).
	const importHash = createHash('sha256').update(JSON.stringify([ex, emulator.credentialData])).digest('hex');
	const stampFile = path.join(userFolder, '.imported-examples');
	if (reset || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== importHash) {
		const credFile = path.join(userFolder, 'demo-credential.json');
		writeFileSync(credFile, JSON.stringify([{ ...ex.credential, data: emulator.credentialData }]), { mode: 0o600 });
		const wfFile = path.join(userFolder, 'example-workflows.json');
		writeFileSync(wfFile, JSON.stringify(ex.workflows));
		log('importing the demo credential and the example workflows (n8n import:credentials / import:workflow)…');
		try {
			await rt.cli(n8n, env, ['import:credentials', `--input=${credFile}`], { logFile });
			await rt.cli(n8n, env, ['import:workflow', `--input=${wfFile}`], { logFile });
		} finally {
			writeFileSync(credFile, '[]');
		}
		writeFileSync(stampFile, importHash);
	} else {
		log('demo credential and example workflows already imported');
	}

	const cleanup = async () => {
		emulator.child.kill('SIGTERM');
	};

	if (headless) {
		let failed = false;
		for (const wf of ex.workflows.filter((w) => w.runHeadless !== false)) {
			log(`running "${wf.name}" (n8n execute --id=${wf.id})…`);
			const r = await rt.runCli(n8n, env, ['execute', `--id=${wf.id}`, '--rawOutput'], { logFile });
			let run;
			try {
				run = rt.parseRawOutput(r.stdout);
			} catch {
				run = undefined;
			}
			const summary = summariseRun(run, r);
			failed ||= !summary.ok;
			process.stdout.write(`\n=== ${wf.name}: ${summary.ok ? 'success' : 'FAILED'}\n${summary.text}\n`);
		}
		await cleanup();
		log(`done (${elapsed()})`);
		process.exit(failed ? 1 : 0);
	}

	log(`starting n8n on port ${port} (log: ${logFile})…`);
	const server = await rt.startServer(n8n, env, { logFile });
	const rest = new rt.Rest(server.url);
	await rest.ownerLogin();
	const url = server.url;
	process.stdout.write(
		[
			'',
			`n8n ${n8n.version} with n8n-nodes-altinn is running (ready in ${elapsed()}).`,
			'',
			`  Editor:   ${url}/`,
			`  Log in:   ${rt.OWNER.email}  /  ${rt.OWNER.password}   (local demo owner)`,
			`  Emulator: ${emulator.url}  (Maskinporten + Altinn 3, in memory; reset on every start)`,
			`            a new submission arrives every ${submissionEvery()}`,
			'',
			'What to click:',
			`  1. Overview → open "${ex.workflows[0].name}" → "Execute workflow" (the button says "from On New`,
			'     Submission"): the Altinn Trigger fetches the newest completed, unconfirmed submission, "Download All',
			'     Data" downloads its files as binary and "Confirm Download" confirms it. Double-click a node to see',
			`     its output. To process every waiting submission, choose "${MANUAL_TRIGGER}" with the arrow`,
			'     next to the button. A new submission arrives every minute, so there is always one to fetch.',
			`  2. Open "${ex.workflows[1].name}" → "Execute workflow": it creates an instance with prefilled`,
			'     form data and uploads an attachment.',
			`  3. Credentials → "${ex.credential.name}" → "Retry" tests the demo Maskinporten client with a fresh`,
			'     grant and exchange (change a field first to see what a mistake looks like; no need to save).',
			`  4. Open "${ex.workflows[2].name}" → "Execute workflow": it asks customer 310000001 for a system`,
			'     user and composes the e-mail with the confirm link. Play the customer and approve it:',
			`       curl -X POST ${emulator.url}/emulator/systemuser/request/<requestId>/approve`,
			'     then activate the workflow: the trigger sees the decision and creates an instance as the',
			"     customer's system user.",
			'',
			'Your changes to the examples are kept between starts; `npm start -- --reset` restores them as shipped.',
			'Ctrl+C stops n8n and the emulator.',
			'',
		].join('\n'),
	);
	const stop = async () => {
		process.stdout.write('\nStopping n8n and the emulator…\n');
		await server.stop();
		await cleanup();
		process.stdout.write(
			`Stopped n8n (${url}) and the emulator (${emulator.url}). Workflows, credential and executions are kept in ${userFolder}; \`npm start\` continues with them.\n`,
		);
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	server.child.on('exit', async () => {
		await cleanup();
		process.exit(1);
	});
}

main().catch((e) => {
	log(`ERROR: ${e.message}`);
	process.exit(1);
});
