/**
 * The credential's fields, validated once into `MaskinportenSettings`. Every problem is a
 * `CredentialSettingsError` that names the field and says what to do.
 */
import { createHash } from 'node:crypto';

import { type Endpoints, type EnvironmentName, resolveEndpoints } from './environments';
import { failField as fail, fieldText as text } from './errors';
import { ALGORITHMS, type Algorithm } from './jwt';
import { loadSigningMaterial, type SigningMaterial } from './keyMaterial';

export interface SystemUser {
	/** `0192:` + 9 digits, the form Maskinporten wants in `systemuser_org.ID`. */
	org: string;
	externalRef?: string;
}

export interface MaskinportenSettings {
	environment: EnvironmentName;
	endpoints: Endpoints;
	clientId: string;
	scopes: string[];
	signing: SigningMaterial;
	algorithm: Algorithm;
	/** Audience-restricted token: sent as the `resource` array when not empty. */
	resource: string[];
	consumerOrg?: string;
	systemUser?: SystemUser;
	exchangeToAltinn: boolean;
	useAltinnTestOrg: boolean;
}

/** Per-request settings that a node may set on top of the credential (a system user per customer). */
export interface TokenRequestOverrides {
	systemUserOrg?: string;
	systemUserExternalRef?: string;
}

export const DEFAULT_SCOPES = 'altinn:serviceowner/instances.read altinn:serviceowner/instances.write';


const list = (value: unknown): string[] => [...new Set(text(value).split(/[\s,]+/).filter(Boolean))];

function orgNumber(field: 'consumerOrg' | 'systemUserOrg', value: unknown): string | undefined {
	const raw = text(value);
	if (!raw) return undefined;
	const digits = raw.replace(/^0192:/, '').replace(/[\s.]/g, '');
	if (!/^\d{9}$/.test(digits)) {
		fail(field, `"${raw}" is not an organisation number. Enter the 9 digits of the organisation number (e.g. 910753614), or leave it empty.`);
	}
	return digits;
}

function clientIdOf(value: unknown): string {
	const clientId = text(value);
	if (!clientId) fail('clientId', 'is empty. Enter the client id of your Maskinporten client (from Samarbeidsportalen).');
	if (/\s/.test(clientId)) fail('clientId', `"${clientId}" contains spaces. Copy the client id exactly as Samarbeidsportalen shows it.`);
	return clientId;
}

function scopesOf(value: unknown): string[] {
	const scopes = list(value);
	if (!scopes.length) {
		fail('scopes', `is empty. Enter at least one scope the client is registered for, separated by spaces, e.g. ${DEFAULT_SCOPES}.`);
	}
	const bad = scopes.find((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope));
	if (bad) fail('scopes', `contains "${bad}", which is not a valid scope (quotes and backslashes are not allowed).`);
	return scopes;
}

function algorithmOf(value: unknown): Algorithm {
	const algorithm = text(value) || 'RS256';
	if (!ALGORITHMS.includes(algorithm as Algorithm)) {
		fail('algorithm', `"${algorithm}" is not supported by Maskinporten. Choose RS256, RS384 or RS512.`);
	}
	return algorithm as Algorithm;
}

function endpointsOf(credentials: Record<string, unknown>): Endpoints {
	return resolveEndpoints(credentials.environment, credentials);
}

// Parsing keys and certificates costs a few milliseconds; the result is kept per exact input.
const signingCache = new Map<string, SigningMaterial>();
const SIGNING_CACHE_SIZE = 32;

function signingOf(credentials: Record<string, unknown>): SigningMaterial {
	const input = {
		keyType: credentials.keyType ?? 'jwk',
		jwk: credentials.jwk,
		privateKey: credentials.privateKey,
		keyId: credentials.keyId,
		certificate: credentials.certificate,
	};
	const relevant =
		input.keyType === 'jwk' ? [input.keyType, input.jwk, input.keyId] : input.keyType === 'pem' ? [input.keyType, input.privateKey, input.keyId] : [input.keyType, input.privateKey, input.keyId, input.certificate];
	const cacheKey = createHash('sha256').update(JSON.stringify(relevant)).digest('hex');
	const cached = signingCache.get(cacheKey);
	if (cached) return cached;
	const material = loadSigningMaterial(input);
	if (signingCache.size >= SIGNING_CACHE_SIZE) signingCache.delete(signingCache.keys().next().value as string);
	signingCache.set(cacheKey, material);
	return material;
}

const bool = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback);

/** Validates the credential fields (and a node's per-request overrides) into settings. */
export function parseSettings(credentials: Record<string, unknown>, overrides: TokenRequestOverrides = {}): MaskinportenSettings {
	const endpoints = endpointsOf(credentials);
	const clientId = clientIdOf(credentials.clientId);
	const scopes = scopesOf(credentials.scopes ?? DEFAULT_SCOPES);
	const algorithm = algorithmOf(credentials.algorithm);
	const signing = signingOf(credentials);
	const resource = list(credentials.resource);
	const consumerOrg = orgNumber('consumerOrg', credentials.consumerOrg);

	const hasOverride = text(overrides.systemUserOrg) !== '';
	const systemUserOrg = orgNumber('systemUserOrg', hasOverride ? overrides.systemUserOrg : credentials.systemUserOrg);
	const externalRef = text(hasOverride ? overrides.systemUserExternalRef : (overrides.systemUserExternalRef ?? credentials.systemUserExternalRef)) || undefined;
	if (externalRef && !systemUserOrg) {
		fail('systemUserExternalRef', 'is set but System User Org Number is empty. Enter the organisation number of the system user, or clear the external reference.');
	}

	return {
		environment: credentials.environment as EnvironmentName,
		endpoints,
		clientId,
		scopes,
		signing,
		algorithm,
		resource,
		consumerOrg,
		systemUser: systemUserOrg ? { org: `0192:${systemUserOrg}`, externalRef } : undefined,
		exchangeToAltinn: bool(credentials.exchangeToAltinn, true),
		useAltinnTestOrg: bool(credentials.useAltinnTestOrg, false),
	};
}

/**
 * Identifies "the same token" across callers: everything that shapes the token, with the key
 * represented by its public fingerprint (never the secret itself).
 */
export function settingsFingerprint(settings: MaskinportenSettings): string {
	return createHash('sha256')
		.update(
			JSON.stringify([
				settings.environment,
				settings.endpoints,
				settings.clientId,
				[...settings.scopes].sort(),
				[...settings.resource].sort(),
				settings.consumerOrg ?? '',
				settings.systemUser?.org ?? '',
				settings.systemUser?.externalRef ?? '',
				settings.signing.fingerprint,
				settings.algorithm,
				settings.exchangeToAltinn,
				settings.useAltinnTestOrg,
			]),
		)
		.digest('hex');
}
