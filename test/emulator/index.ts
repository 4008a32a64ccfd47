/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * A strict local emulator of Maskinporten and Altinn 3 (authentication, Storage, apps,
 * Events) on loopback, built to the published protocol. One readable module per service;
 * this file only wires them together.
 *
 *   const emu = await startEmulator();
 *   emu.maskinporten.registerClient({ ... });
 *   ... emu.counters.get('maskinporten.grants') ...
 *   await emu.close();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { EmulatorContext } from './context';
import { Counters, defaultKnobs, FaultInjector, type Knobs, sleepMs } from './faults';
import { Router, readBody, sendJsonString, type EmulatorRequest, type Method } from './http';
import { AltinnWorld } from './state';
import { createSigningKey } from './tokens';
import { registerMaskinporten, type MaskinportenRegistry } from './maskinporten';
import { registerAuthentication } from './authentication';
import { registerStorage } from './storage';
import { registerApps } from './apps';
import { registerEvents } from './events';
import { registerSubscriptions, type SubscriptionRegistry } from './subscriptions';
import { registerSystemUsers, type SystemUserRegistry } from './systemUsers';

export interface StartOptions {
	/** Fixed port (for `npm start`); 0 or absent picks a free one. */
	port?: number;
	/** Initial knobs. */
	knobs?: Partial<Knobs>;
}

export interface Emulator {
	url: string;
	/** Everything a service module sees; tests may reach into `world` to seed or inspect. */
	ctx: EmulatorContext;
	world: AltinnWorld;
	counters: Counters;
	knobs: Knobs;
	faults: FaultInjector;
	maskinporten: MaskinportenRegistry;
	/** Events subscriptions and what was pushed to their endpoints. */
	subscriptions: SubscriptionRegistry;
	/** System register, system user requests and system users; `decide(id, 'approve' | 'reject')` is the customer. */
	systemUsers: SystemUserRegistry;
	/** Values to put in the credential's Custom environment fields. */
	credentialUrls: { maskinportenUrl: string; altinnPlatformUrl: string; altinnAppsUrl: string };
	close(): Promise<void>;
}

export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
	const router = new Router();
	const server: Server = createServer();
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const knobs: Knobs = { ...defaultKnobs(), ...options.knobs };
	const ctx: EmulatorContext = {
		world: new AltinnWorld(),
		counters: new Counters(),
		knobs,
		faults: new FaultInjector(),
		nowSec: () => Math.floor(Date.now() / 1000) + knobs.clockOffsetSec,
		keys: {
			maskinporten: await createSigningKey('emulated-maskinporten'),
			altinn: await createSigningKey('emulated-altinn'),
		},
		urls: {
			base,
			maskinportenIssuer: `${base}/maskinporten/`,
			altinnIssuer: `${base}/authentication/api/v1/openid/`,
			platform: base,
			apps: base,
		},
	};

	const maskinporten = registerMaskinporten(router, ctx);
	registerAuthentication(router, ctx);
	registerStorage(router, ctx);
	registerApps(router, ctx);
	registerEvents(router, ctx);
	const subscriptions = registerSubscriptions(router, ctx);
	const systemUsers = registerSystemUsers(router, ctx, maskinporten);
	ctx.systemUsers = systemUsers;

	server.on('request', (raw, res) => {
		void (async () => {
			const url = new URL(raw.url ?? '/', base);
			// Every answer tells the time on the emulator's clock (with its offset knob), as Altinn's own `Date` header does.
			res.setHeader('Date', new Date(Date.now() + knobs.clockOffsetSec * 1000).toUTCString());
			const found = router.match(raw.method ?? 'GET', url.pathname);
			ctx.counters.inc('requests');
			if (!found) {
				sendJsonString(res, 404, `No emulated route for ${raw.method} ${url.pathname}`);
				return;
			}
			const name = found.route.name;
			ctx.counters.inc(`route.${name}`);
			ctx.counters.requestStarted();
			res.once('close', () => ctx.counters.requestEnded());
			const arrival = { route: name, at: Date.now(), fault: false };
			ctx.counters.arrivals.push(arrival);
			if (knobs.latencyMs > 0) await sleepMs(knobs.latencyMs);
			if (ctx.faults.apply(name, url.pathname, res)) {
				ctx.counters.inc('faults');
				arrival.fault = true;
				raw.resume();
				return;
			}
			let bodyRead = false;
			const req: EmulatorRequest = {
				method: raw.method as Method,
				path: url.pathname,
				params: found.params,
				query: url.searchParams,
				headers: raw.headers,
				raw,
				baseUrl: base,
				body: async () => {
					if (bodyRead) throw new Error('body() called twice');
					bodyRead = true;
					return await readBody(raw);
				},
			};
			await found.route.handler(req, res);
		})().catch((error: Error) => {
			if (!res.headersSent) {
				res.writeHead(500, { 'Content-Type': 'application/problem+json' });
				res.end(JSON.stringify({ title: 'Emulator error', status: 500, detail: error.message }));
			} else res.destroy();
		});
	});

	return {
		url: base,
		ctx,
		world: ctx.world,
		counters: ctx.counters,
		knobs,
		faults: ctx.faults,
		maskinporten,
		subscriptions,
		systemUsers,
		credentialUrls: {
			maskinportenUrl: ctx.urls.maskinportenIssuer,
			altinnPlatformUrl: ctx.urls.platform,
			altinnAppsUrl: ctx.urls.apps,
		},
		close: () =>
			new Promise<void>((resolve) => {
				subscriptions.stop();
				server.closeAllConnections();
				ctx.world.dispose(); // temp files of large uploads
				server.close(() => resolve());
			}),
	};
}
