// Running a cached real n8n: environment, CLI commands, `n8n start`, and the REST calls an owner makes.
// CommonJS so that both scripts/start.mjs and the jest e2e tests (test/e2e) can use it. Node >= 20.
'use strict';
const { spawn } = require('node:child_process');
const { createServer } = require('node:net');
const { mkdirSync, createWriteStream } = require('node:fs');
const path = require('node:path');

/** Demo owner of the local n8n (only ever on 127.0.0.1). */
const OWNER = {
	email: 'demo@n8n-nodes-altinn.local',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'Altinn-demo-1',
};

/** A free TCP port on 127.0.0.1. */
function freePort() {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/**
 * Environment for every n8n process on one user folder. `node` is { binDir } of a Node >= 24; it goes first
 * on PATH because n8n starts its task runner with `node` from PATH.
 */
function n8nEnv({ node, userFolder, port, brokerPort, extra = {} }) {
	const pathKey = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') || 'PATH';
	const env = {
		...process.env,
		[pathKey]: `${node.binDir}${path.delimiter}${process.env[pathKey] || ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port || 5678),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port || 5678}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort || 5679),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// nothing leaves the machine
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_AI_ENABLED: 'false',
		// local and quiet
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL || 'info', // `execute` prints its run at info
		DB_SQLITE_POOL_SIZE: '2',
		N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
		...extra,
	};
	// an outer n8n's (or jest's) settings must not leak in: under NODE_ENV=test n8n logs nothing
	env.NODE_ENV = 'production';
	for (const k of Object.keys(env)) if (k.startsWith('JEST_')) delete env[k];
	delete env.N8N_CONFIG_FILES;
	delete env.DB_TYPE;
	return env;
}

function tail(text, lines = 30) {
	return String(text).trimEnd().split('\n').slice(-lines).join('\n');
}

/** Run `n8n <args>` to completion. Returns { code, stdout, stderr }. */
function runCli(n8n, env, args, { timeoutMs = 180_000, logFile } = {}) {
	return new Promise((resolve) => {
		const child = spawn(n8n.node.nodeBin, [n8n.bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		const out = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
		out?.write(`\n$ n8n ${args.join(' ')}\n`);
		child.stdout.on('data', (d) => {
			stdout += d;
			out?.write(d);
		});
		child.stderr.on('data', (d) => {
			stderr += d;
			out?.write(d);
		});
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('close', (code) => {
			clearTimeout(timer);
			out?.end();
			resolve({ code, stdout, stderr });
		});
	});
}

/** Like runCli, but throws with the output's tail when the exit code is not 0. */
async function cli(n8n, env, args, opts) {
	const r = await runCli(n8n, env, args, opts);
	if (r.code !== 0) {
		throw new Error(`n8n ${args.join(' ')} exited with ${r.code}:\n${tail(r.stdout)}\n${tail(r.stderr)}`);
	}
	return r;
}

/** Parse the JSON run that `n8n execute --rawOutput` prints (possibly between log lines). */
function parseRawOutput(stdout) {
	const text = String(stdout);
	const starts = [];
	for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (i === 0 || text[i - 1] === '\n') starts.push(i);
	const ends = [];
	for (let i = text.indexOf('}'); i !== -1; i = text.indexOf('}', i + 1)) if (i === text.length - 1 || text[i + 1] === '\n' || text[i + 1] === '\r') ends.push(i + 1);
	for (const s of starts) {
		for (let k = ends.length - 1; k >= 0 && ends[k] > s; k--) {
			if (text[ends[k] - 1] !== '}' ) continue;
			try {
				const v = JSON.parse(text.slice(s, ends[k]));
				if (v && typeof v === 'object' && v.data && v.data.resultData) return v;
			} catch {
				// not this span
			}
		}
	}
	throw new Error(`no run JSON in n8n execute output:\n${tail(text)}`);
}

/**
 * `n8n start` in the background. Resolves once /healthz/readiness answers 200.
 * Returns { url, child, stop(), output() }.
 */
async function startServer(n8n, env, { timeoutMs = 180_000, logFile, onLine } = {}) {
	const url = `http://127.0.0.1:${env.N8N_PORT}`;
	const child = spawn(n8n.node.nodeBin, [n8n.bin, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const out = logFile ? (mkdirSync(path.dirname(logFile), { recursive: true }), createWriteStream(logFile, { flags: 'a' })) : undefined;
	const onData = (d) => {
		output += d;
		out?.write(d);
		if (onLine) for (const line of String(d).split('\n')) if (line.trim()) onLine(line);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	let exited = null;
	child.on('exit', (code, signal) => {
		exited = { code, signal };
	});
	const started = Date.now();
	for (;;) {
		if (exited) throw new Error(`n8n start exited early (${JSON.stringify(exited)}):\n${tail(output)}`);
		if (Date.now() - started > timeoutMs) {
			child.kill('SIGKILL');
			throw new Error(`n8n did not become ready within ${timeoutMs / 1000}s:\n${tail(output)}`);
		}
		try {
			const res = await fetch(`${url}/healthz/readiness`);
			if (res.status === 200) break;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 300));
	}
	const stop = () =>
		new Promise((resolve) => {
			if (exited) return resolve();
			const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			child.on('exit', () => {
				clearTimeout(timer);
				out?.end();
				resolve();
			});
			child.kill('SIGTERM');
		});
	return { url, child, stop, output: () => output };
}

/** A tiny REST client for n8n's internal /rest API with the owner's session cookie. */
class Rest {
	constructor(url) {
		this.url = url;
		this.cookie = '';
		this.browserId = 'n8n-nodes-altinn-e2e';
	}

	async call(method, p, body) {
		const res = await fetch(`${this.url}${p}`, {
			method,
			headers: {
				'content-type': 'application/json',
				// A connection per call: fetch's keep-alive pool can reuse a connection that n8n closes
				// after 5 idle seconds (a test waiting for a poll), and the call fails with "other side closed".
				connection: 'close',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
		for (const c of setCookie) if (c.startsWith('n8n-auth=')) this.cookie = c.split(';')[0];
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: res.status, json, text };
	}

	async ok(method, p, body) {
		const r = await this.call(method, p, body);
		if (r.status >= 400) throw new Error(`${method} ${p} -> ${r.status}: ${r.text.slice(0, 500)}`);
		return r.json && 'data' in r.json ? r.json.data : r.json;
	}

	/** Set up the owner on a fresh instance (no-op when done already), then log in. */
	async ownerLogin(owner = OWNER) {
		const settings = await this.call('GET', '/rest/settings');
		const showSetup = settings.json?.data?.userManagement?.showSetupOnFirstLoad;
		if (showSetup !== false) {
			const r = await this.call('POST', '/rest/owner/setup', owner);
			if (r.status >= 400 && !/already|setup/i.test(r.text)) {
				throw new Error(`owner setup failed: ${r.status} ${r.text.slice(0, 300)}`);
			}
		}
		const login = await this.call('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		if (login.status >= 400) {
			// older 1.x used { email }
			const again = await this.call('POST', '/rest/login', { email: owner.email, password: owner.password });
			if (again.status >= 400) throw new Error(`login failed: ${again.status} ${again.text.slice(0, 300)}`);
		}
		return this;
	}
}

module.exports = { OWNER, freePort, n8nEnv, runCli, cli, parseRawOutput, startServer, Rest, tail };
