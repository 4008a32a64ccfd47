import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';
import { OperationalError } from 'n8n-workflow';

import {
	CredentialSettingsError,
	DEFAULT_SCOPES,
	getAccessToken,
	httpCallFrom,
	MaskinportenError,
	resolveEndpoints,
} from './maskinporten';

/** Turns domain errors into errors n8n shows well: the explanation goes in the description. */
function toCredentialError(error: unknown): Error {
	if (error instanceof MaskinportenError) {
		return new OperationalError(error.message, { description: error.hint, shouldReport: false });
	}
	if (error instanceof CredentialSettingsError) {
		return new OperationalError(`Maskinporten credential: ${error.message}`, {
			description: 'Open the Maskinporten credential and correct the field named in the message.',
			shouldReport: false,
		});
	}
	return error instanceof Error ? error : new OperationalError(String(error));
}

export class MaskinportenApi implements ICredentialType {
	name = 'maskinportenApi';

	// n8n's community package scanner requires the " API" suffix (it ignores inline eslint-disable).
	displayName = 'Maskinporten API';

	icon: Icon = { light: 'file:../icons/maskinporten.svg', dark: 'file:../icons/maskinporten.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-altinn/n8n-nodes-altinn#the-maskinporten-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{
					name: 'Test (test.maskinporten.no + Altinn TT02)',
					value: 'test',
					description: 'Test Maskinporten, exchanged at platform.tt02.altinn.no',
				},
				{
					name: 'Production (maskinporten.no + platform.altinn.no)',
					value: 'production',
					description: 'Production Maskinporten, exchanged at platform.altinn.no',
				},
				{
					name: 'Custom',
					value: 'custom',
					description: 'Your own URLs, e.g. a local emulator',
				},
			],
			default: 'test',
			description:
				'Which Maskinporten and Altinn to use. Clients, keys, scopes and delegations exist in one environment only.',
		},
		{
			displayName: 'Maskinporten URL',
			name: 'maskinportenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://test.maskinporten.no/',
			required: true,
			displayOptions: { show: { environment: ['custom'] } },
			description:
				'The Maskinporten issuer, exactly as its .well-known/oauth-authorization-server document gives it. Tokens are requested at {issuer}token.',
		},
		{
			displayName: 'Altinn Platform URL',
			name: 'altinnPlatformUrl',
			type: 'string',
			default: '',
			placeholder: 'https://platform.tt02.altinn.no',
			required: true,
			displayOptions: { show: { environment: ['custom'] } },
			description: 'Base URL of the Altinn platform (authentication, Storage, Events)',
		},
		{
			displayName: 'Altinn Apps URL',
			name: 'altinnAppsUrl',
			type: 'string',
			default: '',
			placeholder: 'https://{org}.apps.tt02.altinn.no',
			required: true,
			displayOptions: { show: { environment: ['custom'] } },
			description: 'Base URL of the Altinn apps; {org} is replaced by the app owner, e.g. ttd',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: 'The client ID of your Maskinporten client (integration) in Samarbeidsportalen. Sent as the grant\'s iss.',
		},
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'string',
			default: DEFAULT_SCOPES,
			required: true,
			description:
				'Space-separated scopes to ask for. The client must be registered for each of them (Altinn\'s Scope setting).',
		},
		{
			displayName: 'Key Type',
			name: 'keyType',
			type: 'options',
			options: [
				{
					name: 'Private JWK (EncodedJwk)',
					value: 'jwk',
					description: 'An RSA key registered on the client as a JWK',
				},
				{
					name: 'PEM Private Key With Key ID',
					value: 'pem',
					description: 'An RSA private key in PEM form whose public key is registered on the client',
				},
				{
					name: 'Business Certificate (Virksomhetssertifikat)',
					value: 'certificate',
					description: 'A business certificate (or eSeal) and its private key, sent in the x5c header',
				},
			],
			default: 'jwk',
		},
		// A private JWK is a secret even though its field name does not say so.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Private JWK',
			name: 'jwk',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { keyType: ['jwk'] } },
			description:
				'The private RSA JWK (with d, p, q …) as JSON, or base64 of that JSON as in Altinn\'s EncodedJwk setting',
		},
		{
			displayName: 'Private Key (PEM)',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			displayOptions: { show: { keyType: ['pem', 'certificate'] } },
			description:
				'RSA private key, -----BEGIN PRIVATE KEY----- (PKCS#8) or -----BEGIN RSA PRIVATE KEY----- (PKCS#1), without a passphrase. At least 2048 bits.',
		},
		{
			displayName: 'Certificate Chain (PEM)',
			name: 'certificate',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			displayOptions: { show: { keyType: ['certificate'] } },
			description:
				'The business certificate in PEM form, leaf first, then any intermediates. It must belong to the private key.',
		},
		{
			displayName: 'Key ID',
			name: 'keyId',
			type: 'string',
			default: '',
			description:
				'The kid the key is registered with on the client (Altinn\'s Kid setting). Required for a PEM key; overrides the JWK\'s own kid; for a certificate, set it only if the certificate is uploaded to the client.',
		},
		{
			displayName: 'Signing Algorithm',
			name: 'algorithm',
			type: 'options',
			options: [
				{ name: 'RS256', value: 'RS256' },
				{ name: 'RS384', value: 'RS384' },
				{ name: 'RS512', value: 'RS512' },
			],
			default: 'RS256',
			description: 'Algorithm used to sign the grant',
		},
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'string',
			default: '',
			description:
				'Optional audience for an audience-restricted token, as given by the API owner (Altinn\'s Resource setting). Several values may be separated by commas or spaces.',
		},
		{
			displayName: 'Consumer Org Number',
			name: 'consumerOrg',
			type: 'string',
			default: '',
			placeholder: '910753614',
			description:
				'Optional. As a supplier, the 9-digit organisation number of the customer who delegated the scopes to you in Altinn (Altinn\'s ConsumerOrgNo). Leave empty to act for your own organisation.',
		},
		{
			displayName: 'System User Org Number',
			name: 'systemUserOrg',
			type: 'string',
			default: '',
			placeholder: '910753614',
			description:
				'Optional. The 9-digit organisation number of the customer whose system user to act as; asks Maskinporten for a system user token (authorization_details urn:altinn:systemuser)',
		},
		{
			displayName: 'System User External Reference',
			name: 'systemUserExternalRef',
			type: 'string',
			default: '',
			description: 'Optional. The external reference the system user was created with, if any',
		},
		{
			displayName: 'Exchange to Altinn Token',
			name: 'exchangeToAltinn',
			type: 'boolean',
			default: true,
			description:
				'Whether to exchange the Maskinporten token for an Altinn token (needed for Altinn apps and platform APIs). Turn off to use the Maskinporten token itself, e.g. with the HTTP Request node against another Maskinporten-protected API.',
		},
		{
			displayName: 'Use Altinn Test Org (TTD)',
			name: 'useAltinnTestOrg',
			type: 'boolean',
			default: false,
			displayOptions: { show: { exchangeToAltinn: [true] } },
			description:
				'Whether to ask for a token for the test service owner ttd (?test=true). Only for Digdir\'s own clients; Altinn ignores it for everyone else.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const outcome = await getAccessToken(httpCallFrom(this.helpers.httpRequest), credentials, {
			staleToken: typeof credentials.accessToken === 'string' ? credentials.accessToken : undefined,
		}).then(
			(issued) => ({ accessToken: issued.token }),
			(error: unknown) => ({ error }),
		);
		if ('error' in outcome) throw toCredentialError(outcome.error);
		return outcome;
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		requestOptions.headers = { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.accessToken ?? '')}` };
		// Relative URLs go to this credential's own Altinn platform. The HTTP Request node still
		// passes the legacy request shape, with `uri` and no `url`.
		const url = requestOptions.url ?? (requestOptions as { uri?: string }).uri ?? '';
		if (!requestOptions.baseURL && url.startsWith('/')) {
			requestOptions.baseURL = resolveEndpoints(credentials.environment, credentials).altinnPlatformUrl;
		}
		return requestOptions;
	}

	// No `test` request here on purpose. n8n 2.41 would run it through preAuthentication, which may hand
	// out a cached token made from other values, and then persist the token it got, even one made from
	// unsaved edits (packages/cli/src/credentials-helper.ts, preAuthentication: `isTestingCredentials`,
	// `updateCredentials`). The Test button is the node method `maskinportenApiTest`
	// (nodes/Altinn/methods/credentialTest.ts), linked by the nodes' `testedBy`, which n8n uses only
	// when the type has no `test` (credentials-tester.service.ts, getCredentialTestFunction).
}
