/**
 * The demo world used by `npm start` and the e2e tests: the emulator seeded with a service owner,
 * an app with instances and data elements (seedDemo from test/emulator/seed.ts when present), and a
 * demo Maskinporten client that trusts a freshly generated public key.
 */
import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';

import { startEmulator, type Emulator } from '../../test/emulator/index';

export const DEMO_CLIENT_ID = 'demo-n8n-client';
export const DEMO_SCOPES = ['altinn:serviceowner/instances.read', 'altinn:serviceowner/instances.write'];

export interface DemoInfo {
	org: string;
	app: string;
	orgNumber: string;
	partyId: number;
	instanceIds: string[];
}

export interface DemoKey {
	kid: string;
	/** Private JWK (with kid) for the credential's `jwk` field. Never print it. */
	privateJwk: JsonWebKey & { kid: string };
	publicJwk: JsonWebKey & { kid: string };
}

export function generateDemoKey(): DemoKey {
	const kid = `demo-${randomUUID().slice(0, 8)}`;
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	return {
		kid,
		privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } as DemoKey['privateJwk'],
		publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } as DemoKey['publicJwk'],
	};
}

/** seedDemo from test/emulator/seed.ts if it exists (written separately), else a small built-in world. */
function seed(emu: Emulator): DemoInfo {
	let seedModule: { seedDemo?: (emu: Emulator) => unknown } | undefined;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		seedModule = require('../../test/emulator/seed');
	} catch {
		seedModule = undefined;
	}
	if (seedModule?.seedDemo) {
		const r = seedModule.seedDemo(emu) as Partial<DemoInfo> & Record<string, unknown>;
		return normaliseSeed(emu, r);
	}
	return builtinSeed(emu);
}

function normaliseSeed(emu: Emulator, r: Partial<DemoInfo> & Record<string, unknown>): DemoInfo {
	const app = [...emu.world.applications.values()][0];
	const appId = String(r.appId ?? app?.id ?? '');
	const [org, appName] = appId.split('/');
	const owner = emu.world.serviceOwners.get(String(r.org ?? org));
	const instanceIds = [...emu.world.instances.keys()];
	const first = instanceIds[0] ? Number(instanceIds[0].split('/')[0]) : 0;
	return {
		org: String(r.org ?? org),
		app: String(r.app ?? appName),
		orgNumber: String(r.orgNumber ?? owner?.orgNumber ?? ''),
		partyId: Number(r.partyId ?? first),
		instanceIds,
	};
}

function builtinSeed(emu: Emulator): DemoInfo {
	const w = emu.world;
	w.addServiceOwner({ code: 'ttd', orgNumber: '991825827', name: 'Testdepartementet' });
	const party = w.addParty({ orgNumber: '310000001', name: 'Demo Bedrift AS' });
	w.addApplication({
		id: 'ttd/demo-app',
		org: 'ttd',
		title: { nb: 'Demo-søknad', en: 'Demo application' },
		dataTypes: [
			{ id: 'model', allowedContentTypes: ['application/xml', 'application/json'], maxCount: 1, minCount: 1, taskId: 'Task_1', appLogic: { classRef: 'Altinn.App.Models.Demo', autoCreate: true } },
			{ id: 'attachment', allowedContentTypes: null, maxCount: 5, minCount: 0, taskId: 'Task_1' },
		],
		partyTypesAllowed: { bankruptcyEstate: false, organisation: true, person: true, subUnit: false },
		publishesEvents: true,
		processTasks: [{ id: 'Task_1', altinnTaskType: 'data' }],
	});
	const ids: string[] = [];
	for (let i = 1; i <= 3; i++) {
		const rec = w.createInstance({
			appId: 'ttd/demo-app',
			partyId: party.partyId,
			task: 'ended',
			formData: { applicant: `Applicant ${i}`, amount: 1000 * i },
			data: [{ dataType: 'attachment', content: `Attachment ${i}\n`, contentType: 'text/plain', filename: `vedlegg-${i}.txt` }],
		});
		ids.push(rec.instance.id);
	}
	return { org: 'ttd', app: 'demo-app', orgNumber: '991825827', partyId: party.partyId, instanceIds: ids };
}

export interface DemoEmulator {
	emu: Emulator;
	info: DemoInfo;
	key: DemoKey;
	/** Credential data (Custom environment) for the demo client; contains the private key. */
	credentialData: Record<string, unknown>;
}

export async function startDemoEmulator(options: { port?: number; key?: DemoKey } = {}): Promise<DemoEmulator> {
	const emu = await startEmulator({ port: options.port });
	const info = seed(emu);
	const key = options.key ?? generateDemoKey();
	emu.maskinporten.registerClient({
		clientId: DEMO_CLIENT_ID,
		orgNumber: info.orgNumber,
		scopes: DEMO_SCOPES,
		jwks: [key.publicJwk as never],
	});
	return { emu, info, key, credentialData: demoCredentialData(emu, key) };
}

export function demoCredentialData(emu: Emulator, key: DemoKey): Record<string, unknown> {
	return {
		environment: 'custom',
		maskinportenUrl: emu.credentialUrls.maskinportenUrl,
		altinnPlatformUrl: emu.credentialUrls.altinnPlatformUrl,
		altinnAppsUrl: emu.credentialUrls.altinnAppsUrl,
		clientId: DEMO_CLIENT_ID,
		scopes: DEMO_SCOPES.join(' '),
		keyType: 'jwk',
		jwk: JSON.stringify(key.privateJwk),
		keyId: '',
		algorithm: 'RS256',
		resource: '',
		consumerOrg: '',
		systemUserOrg: '',
		systemUserExternalRef: '',
		exchangeToAltinn: true,
		useAltinnTestOrg: false,
		accessToken: '',
	};
}
