/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions */
/**
 * Redis and PostgreSQL for the queue-mode test: the machine's own binaries (Debian packages
 * `redis-server` and `postgresql`, installed with apt-get when missing and we are root), started on free
 * loopback ports in a temp folder, stopped at the end. PostgreSQL refuses to run as root, so as root it
 * runs as the `postgres` user the Debian package creates.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function which(cmd: string): string | undefined {
	const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The PostgreSQL server binaries folder (Debian keeps them out of PATH, under /usr/lib/postgresql/<v>/bin). */
function pgBinDir(): string | undefined {
	const onPath = which('pg_ctl');
	if (onPath) return path.dirname(onPath);
	const base = '/usr/lib/postgresql';
	if (!existsSync(base)) return undefined;
	const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
	for (const v of versions) if (existsSync(path.join(base, v, 'bin', 'pg_ctl'))) return path.join(base, v, 'bin');
	return undefined;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Install the Debian packages that are missing (root only); otherwise say what to install. */
export function ensureServerBinaries(): { redisServer: string; pgBin: string } {
	const missing: string[] = [];
	if (!which('redis-server')) missing.push('redis-server');
	if (!pgBinDir() || !which('psql')) missing.push('postgresql');
	if (missing.length) {
		if (!isRoot) throw new Error(`queue test: install ${missing.join(' and ')} (e.g. sudo apt-get install -y ${missing.join(' ')})`);
		const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
		if (r.status !== 0) throw new Error(`queue test: apt-get install ${missing.join(' ')} failed`);
	}
	return { redisServer: which('redis-server')!, pgBin: pgBinDir()! };
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const started = Date.now();
	while (!check()) {
		if (Date.now() - started > timeoutMs) throw new Error(`queue test: ${what} did not start within ${timeoutMs / 1000}s`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

export interface Service {
	port: number;
	stop(): Promise<void>;
}

export async function startRedis(redisServer: string, port: number): Promise<Service> {
	const dir = mkdtempSync(path.join(tmpdir(), 'altinn-queue-redis-'));
	const child: ChildProcess = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
		stdio: 'ignore',
	});
	const cli = which('redis-cli');
	await waitUntil(
		() => (cli ? spawnSync(cli, ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG' : true),
		20_000,
		'redis-server',
	);
	return {
		port,
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
	};
}

export interface Postgres extends Service {
	database: string;
	user: string;
	/** Run SQL with psql; returns the unaligned, tuples-only output. */
	sql(query: string): string;
}

/** The Debian package's `postgres` user's uid (`-u`) or gid (`-g`). */
function idOf(flag: '-u' | '-g'): number {
	const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
	const id = Number(r.stdout?.trim());
	if (r.status !== 0 || !Number.isInteger(id)) throw new Error('queue test: PostgreSQL refuses to run as root, and there is no postgres user (the Debian package postgresql creates it)');
	return id;
}

export async function startPostgres(pgBin: string, port: number): Promise<Postgres> {
	const dir = mkdtempSync(path.join(tmpdir(), 'altinn-queue-pg-'));
	const data = path.join(dir, 'data');
	// As root, Node switches to the postgres user itself (no runuser/su, which a CI PATH may lack);
	// cwd is the temp folder, which that user can enter (a clone under /root is not).
	const pgUser = isRoot ? { uid: idOf('-u'), gid: idOf('-g') } : {};
	const asPg = (bin: string, args: string[]) => {
		const r = spawnSync(path.join(pgBin, bin), args, { encoding: 'utf8', cwd: dir, ...pgUser });
		if (r.error) throw new Error(`queue test: could not run ${bin}: ${r.error.message}`);
		return r;
	};
	if (isRoot) chownSync(dir, pgUser.uid!, pgUser.gid!);
	const init = asPg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
	if (init.status !== 0) throw new Error(`queue test: initdb failed: ${init.stderr}${init.stdout}`);
	const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=100`;
	const start = asPg('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);
	if (start.status !== 0) throw new Error(`queue test: pg_ctl start failed: ${start.stderr}${start.stdout}`);
	const psql = which('psql') ?? path.join(pgBin, 'psql');
	const sql = (query: string, db = 'n8n') => {
		const r = spawnSync(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-At', '-c', query], { encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`queue test: psql failed: ${r.stderr}`);
		return r.stdout.trim();
	};
	sql('CREATE DATABASE n8n', 'postgres');
	return {
		port,
		database: 'n8n',
		user: 'postgres',
		sql: (q) => sql(q),
		stop: async () => {
			asPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
		},
	};
}
