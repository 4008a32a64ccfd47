import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { appBaseUrl, EndpointError, resolveEndpoints } from '../../../credentials/maskinporten/environments';
import { FIELD_LABELS, type CredentialField } from '../../../credentials/maskinporten/errors';
import type { AltinnContext } from './context';
import { CREDENTIAL_TYPE } from './context';

/** Where the Altinn services of the credential's environment live. No trailing slashes. */
export interface AltinnUrls {
	/** e.g. `https://platform.tt02.altinn.no` */
	platform: string;
	/** `{platform}/storage/api/v1` */
	storage: string;
	/** `{platform}/events/api/v1` */
	events: string;
	/** The apps host pattern, `https://{org}.apps.tt02.altinn.no`. */
	appsPattern: string;
	/** The base of one app's own API, `https://{org}.apps.tt02.altinn.no/{org}/{app}`. */
	app(org: string, app: string): string;
	/** The credential's Maskinporten client: with `platform`, whose Altinn these URLs reach (the trigger's cursor scope). */
	clientId: string;
}

/** Pure: the URLs for a credential's environment fields. Throws `EndpointError` naming the field. */
export function altinnUrlsFrom(credentials: ICredentialDataDecryptedObject): AltinnUrls {
	const endpoints = resolveEndpoints(credentials.environment, {
		maskinportenUrl: credentials.maskinportenUrl,
		altinnPlatformUrl: credentials.altinnPlatformUrl,
		altinnAppsUrl: credentials.altinnAppsUrl,
	});
	const platform = endpoints.altinnPlatformUrl;
	return {
		platform,
		storage: `${platform}/storage/api/v1`,
		events: `${platform}/events/api/v1`,
		appsPattern: endpoints.altinnAppsUrlPattern,
		app: (org, app) => appBaseUrl(endpoints, org, app),
		clientId: String(credentials.clientId ?? ''),
	};
}

/**
 * Per execution context: n8n loads and decrypts the credential on every `getCredentials`
 * call, and a node's credential does not change between its items, so read it once.
 */
const urlsByContext = new WeakMap<object, Promise<AltinnUrls>>();

/** The Altinn URLs of the node's `maskinportenApi` credential (read once per execution context). */
export async function resolveAltinnUrls(this: AltinnContext): Promise<AltinnUrls> {
	let urls = urlsByContext.get(this);
	if (!urls) {
		urls = readAltinnUrls.call(this);
		urlsByContext.set(this, urls);
		// A failure is not kept: the next item reads the credential again and gets its own error.
		urls.catch(() => urlsByContext.delete(this));
	}
	return await urls;
}

async function readAltinnUrls(this: AltinnContext): Promise<AltinnUrls> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	let problem: EndpointError | undefined;
	let urls: AltinnUrls | undefined;
	try {
		urls = altinnUrlsFrom(credentials);
	} catch (error) {
		if (!(error instanceof EndpointError)) throw new NodeOperationError(this.getNode(), error as Error);
		problem = error;
	}
	if (!urls) {
		throw new NodeOperationError(this.getNode(), `The Maskinporten credential cannot be used: ${problem?.message}`, {
			description: `Open the credential and check the field "${FIELD_LABELS[problem?.field as CredentialField] ?? problem?.field}".`,
		});
	}
	return urls;
}
