/**
 * The demo world used by `npm start` and the e2e tests: the emulator seeded with a service owner,
 * an app with instances and data elements (seedDemo from test/emulator/seed.ts when present), and a
 * demo Maskinporten client that trusts a freshly generated public key.
 */
import { generateKeyPairSync, randomUUID, type webcrypto } from 'node:crypto';

type JsonWebKey = webcrypto.JsonWebKey;

import { ORG_NUMBER_SCHEME } from '../../credentials/maskinporten/grant';
import { startEmulator, type Emulator } from '../../test/emulator/index';
import { seedDemo, type DemoSeed } from '../../test/emulator/seed';
import { EDITOR_DEFAULTS, emulatorJwkCredential } from '../../test/support/credentials';

export const DEMO_CLIENT_ID = 'demo-n8n-client';
/** The demo client acts as service owner and as a system vendor (system register and system user requests). */
export const DEMO_SCOPES = [
	'altinn:serviceowner/instances.read',
	'altinn:serviceowner/instances.write',
	'altinn:authentication/systemregister.write',
	'altinn:authentication/systemuser.request.write',
	'altinn:authentication/systemuser.request.read',
];
/** The demo vendor's system (examples/onboard-customer-with-system-user.json): vendor = the demo client's org. */
export const DEMO_SYSTEM_NAME = 'n8n_demo';
export const DEMO_REDIRECT_URL = 'https://example.com/altinn/done';

export interface DemoInfo {
	org: string;
	app: string;
	orgNumber: string;
	/** The org party (TESTBEDRIFT AS). */
	partyId: number;
	/** Every id seedDemo created. */
	seed: DemoSeed;
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

function seed(emu: Emulator): DemoInfo {
	const seeded = seedDemo(emu);
	const [org, app] = seeded.apps.demo.split('/');
	return { org, app, orgNumber: seeded.serviceOwner.orgNumber, partyId: seeded.parties.org.partyId, seed: seeded };
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
	seedVendorSystem(emu, info);
	return { emu, info, key, credentialData: demoCredentialData(emu, key) };
}

/**
 * The demo vendor's system in the system register, as Register System would leave it: the demo client may get
 * system-user tokens, and customers may delegate the demo app. Customers approve with the emulator's admin route.
 */
function seedVendorSystem(emu: Emulator, info: DemoInfo): void {
	const id = `${info.orgNumber}_${DEMO_SYSTEM_NAME}`;
	const text = { nb: 'n8n-demo', nn: 'n8n-demo', en: 'n8n demo' };
	emu.systemUsers.systems.set(id, {
		id,
		vendor: { authority: ORG_NUMBER_SCHEME, ID: `0192:${info.orgNumber}` },
		name: text,
		description: text,
		rights: [{ resource: [{ id: 'urn:altinn:resource', value: `app_${info.org}_${info.app}` }] }],
		accessPackages: [],
		isDeleted: false,
		clientId: [DEMO_CLIENT_ID],
		isVisible: false,
		allowedRedirectUrls: [DEMO_REDIRECT_URL],
	});
}

export function demoCredentialData(emu: Emulator, key: DemoKey): Record<string, unknown> {
	return emulatorJwkCredential(emu, { jwkJson: JSON.stringify(key.privateJwk) }, DEMO_CLIENT_ID, DEMO_SCOPES.join(' '), EDITOR_DEFAULTS);
}
