/**
 * Maskinporten credential data (the credential's field names) for a JWK key, as tests store it.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { Emulator } from '../emulator';
import type { TestKey } from './keys';

/** The optional fields as n8n's editor saves them when left alone (all present, at their defaults). */
export const EDITOR_DEFAULTS = {
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

/** Custom environment pointing at the emulator: client, scopes and JWK, then `over`. */
export const emulatorJwkCredential = (
	emu: Pick<Emulator, 'credentialUrls'>,
	key: Pick<TestKey, 'jwkJson'>,
	clientId: string,
	scopes: string,
	over: Record<string, unknown> = {},
): ICredentialDataDecryptedObject => ({
	environment: 'custom',
	...emu.credentialUrls,
	clientId,
	scopes,
	keyType: 'jwk',
	jwk: key.jwkJson,
	...(over as ICredentialDataDecryptedObject),
});

/** Test environment, client `my-client` with the read scope and a JWK, then `over` (for unit tests that make no request). */
export const testJwkCredential = (key: Pick<TestKey, 'jwkJson'>, over: Record<string, unknown> = {}): Record<string, unknown> => ({
	environment: 'test',
	clientId: 'my-client',
	scopes: 'altinn:serviceowner/instances.read',
	keyType: 'jwk',
	jwk: key.jwkJson,
	...over,
});
