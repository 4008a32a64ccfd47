/**
 * Where each environment lives. This is the only place that knows Maskinporten's and
 * Altinn's host names; everything else asks for an `Endpoints` object.
 */

import { CredentialSettingsError } from './errors';

export type EnvironmentName = 'test' | 'production' | 'custom';

export interface Endpoints {
	/** Maskinporten issuer identifier, with its trailing slash. The grant's `aud` must equal it exactly. */
	maskinportenIssuer: string;
	/** Maskinporten token endpoint (`{issuer}token`). */
	maskinportenTokenUrl: string;
	/** Altinn platform base URL: authentication, Storage and Events live under it. No trailing slash. */
	altinnPlatformUrl: string;
	/** Apps base URL pattern with an `{org}` placeholder, e.g. `https://{org}.apps.tt02.altinn.no`. No trailing slash. */
	altinnAppsUrlPattern: string;
}

const KNOWN: Record<Exclude<EnvironmentName, 'custom'>, Endpoints> = {
	test: {
		maskinportenIssuer: 'https://test.maskinporten.no/',
		maskinportenTokenUrl: 'https://test.maskinporten.no/token',
		altinnPlatformUrl: 'https://platform.tt02.altinn.no',
		altinnAppsUrlPattern: 'https://{org}.apps.tt02.altinn.no',
	},
	production: {
		maskinportenIssuer: 'https://maskinporten.no/',
		maskinportenTokenUrl: 'https://maskinporten.no/token',
		altinnPlatformUrl: 'https://platform.altinn.no',
		altinnAppsUrlPattern: 'https://{org}.apps.altinn.no',
	},
};

export interface CustomEndpointInput {
	maskinportenUrl?: unknown;
	altinnPlatformUrl?: unknown;
	altinnAppsUrl?: unknown;
}

/** A Custom endpoint or the environment is wrong; `field` names the credential field. */
export class EndpointError extends CredentialSettingsError {}

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

function requireUrl(field: string, label: string, value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : '';
	if (!text) throw new EndpointError(field, `${label} is required when Environment is Custom`);
	const parsed = parseUrl(text.replace('{org}', 'org'));
	if (!parsed) {
		throw new EndpointError(field, `${label} "${text}" is not a valid URL; give a full URL such as https://example.no/`);
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new EndpointError(field, `${label} must start with https:// (or http:// for a local emulator)`);
	}
	if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
		throw new EndpointError(
			field,
			`${label} "${text}" uses plain http:// to ${parsed.host}: the grant and the tokens would travel unencrypted. Use https://, or http:// only to this machine (localhost, 127.0.0.1, ::1) for a local emulator.`,
		);
	}
	return text;
}

/** This machine: `localhost` (and `*.localhost`), 127.0.0.0/8, or ::1. Plain http:// is allowed only here. */
export function isLoopback(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
	if (host === 'localhost' || host.endsWith('.localhost')) return true;
	if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
	const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	return !!v4 && v4.slice(1).every((part) => Number(part) <= 255);
}

export function resolveEndpoints(environment: unknown, custom: CustomEndpointInput = {}): Endpoints {
	if (environment === 'test' || environment === 'production') return KNOWN[environment];
	if (environment !== 'custom') {
		throw new EndpointError('environment', `Unknown environment "${String(environment)}": choose Test, Production or Custom`);
	}
	// The issuer keeps exactly one trailing slash: Maskinporten compares `aud` with it character for character.
	const issuer = `${trimSlashes(requireUrl('maskinportenUrl', 'Maskinporten URL', custom.maskinportenUrl))}/`;
	return {
		maskinportenIssuer: issuer,
		maskinportenTokenUrl: `${issuer}token`,
		altinnPlatformUrl: trimSlashes(requireUrl('altinnPlatformUrl', 'Altinn Platform URL', custom.altinnPlatformUrl)),
		altinnAppsUrlPattern: trimSlashes(requireUrl('altinnAppsUrl', 'Altinn Apps URL', custom.altinnAppsUrl)),
	};
}

/** The base URL of one app's own API: `{apps}/{org}/{app}`. */
export function appBaseUrl(endpoints: Endpoints, org: string, app: string): string {
	return `${endpoints.altinnAppsUrlPattern.replace('{org}', org)}/${org}/${app}`;
}
