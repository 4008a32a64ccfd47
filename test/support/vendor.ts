/**
 * A system vendor on top of the Altinn node test environment: its own Maskinporten client and
 * credential (`cred-vendor`, the three vendor scopes), customer organisations that Altinn knows, and
 * the customer's decision through the emulator's admin route.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { useAltinnEnv, type AltinnEnv } from './altinnNode';
import { emulatorJwkCredential } from './credentials';
import { testKey } from './keys';

export const VENDOR_ORG = '312345679';
export const VENDOR_CLIENT = 'vendor-client';
export const VENDOR_SCOPES = [
	'altinn:authentication/systemregister.write',
	'altinn:authentication/systemuser.request.write',
	'altinn:authentication/systemuser.request.read',
];
export const SYSTEM_ID = `${VENDOR_ORG}_n8n_onboarding`;
export const REDIRECT = 'https://vendor.example/altinn/done';
/** Customers that exist in Altinn (parties with these org numbers). */
export const CUSTOMERS = ['313000001', '313000002', '313000003', '313000004', '313000005', '313000006'];
export const APP_RESOURCE = 'app_ttd_demo-app';

export interface VendorEnv extends AltinnEnv {
	/** Runs the node with the vendor credential. */
	vendor(parameters: INodeParameters, options?: { items?: Array<{ json: IDataObject }> }): ReturnType<AltinnEnv['run']>;
	/** The customer approves or rejects (emulator admin route, as Altinn's UI at confirmUrl would). */
	decide(requestId: string, decision: 'approve' | 'reject'): Promise<number>;
}

export function useVendorEnv(): VendorEnv {
	const env = useAltinnEnv() as VendorEnv;
	beforeAll(() => {
		const key = testKey('vendor-key');
		env.emu.maskinporten.registerClient({ clientId: VENDOR_CLIENT, orgNumber: VENDOR_ORG, scopes: VENDOR_SCOPES, jwks: [key.publicJwk] });
		for (const [i, orgNumber] of CUSTOMERS.entries()) env.emu.world.addParty({ orgNumber, name: `KUNDE ${i + 1} AS` });
		env.credentials.add({
			id: 'cred-vendor',
			name: 'Vendor',
			type: 'maskinportenApi',
			data: emulatorJwkCredential(env.emu, key, VENDOR_CLIENT, VENDOR_SCOPES.join(' '), { algorithm: 'RS256', exchangeToAltinn: true }),
		});
		env.vendor = async (parameters, options = {}) => await env.run(parameters, { credential: 'cred-vendor', items: options.items });
		env.decide = async (requestId, decision) =>
			(await fetch(`${env.emu.url}/emulator/systemuser/request/${requestId}/${decision}`, { method: 'POST' })).status;
	});
	return env;
}

/** Register System parameters for SYSTEM_ID with the demo app's right, this client and REDIRECT. */
export const registerSystem = (extra: IDataObject = {}): INodeParameters => ({
	resource: 'systemUser',
	operation: 'registerSystem',
	systemId: SYSTEM_ID,
	systemName: 'n8n onboarding',
	systemDescription: 'Sends forms for customers',
	clientIds: VENDOR_CLIENT,
	allowedRedirectUrls: REDIRECT,
	isVisible: false,
	accessInput: 'list',
	rightsUi: { right: [{ resourceId: APP_RESOURCE }] },
	accessPackagesUi: { accessPackage: [{ urn: 'urn:altinn:accesspackage:skattegrunnlag' }, { urn: 'urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet' }] },
	...extra,
});

/** Create Request parameters for a customer asking for the demo app's right. */
export const createRequest = (customerOrg: string, extra: IDataObject = {}): INodeParameters => ({
	resource: 'systemUser',
	operation: 'createRequest',
	systemId: SYSTEM_ID,
	customerOrg,
	accessInput: 'list',
	rightsUi: { right: [{ resourceId: APP_RESOURCE }] },
	...extra,
});

/** Instance > Create of ttd/demo-app for a customer, acting as the customer's system user. */
export const instantiateAsSystemUser = (customerOrg: string): INodeParameters => ({
	resource: 'instance',
	operation: 'create',
	org: 'ttd',
	app: { __rl: true, mode: 'list', value: 'demo-app' },
	ownerType: 'organisationNumber',
	organisationNumber: customerOrg,
	requestOptions: { systemUserOrg: customerOrg },
});
