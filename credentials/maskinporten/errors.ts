/**
 * What can go wrong, said so that a user can fix it. Two kinds of failure:
 *
 * - `CredentialSettingsError`: the credential's own fields are wrong. Found before any
 *   request is made; names the field at fault.
 * - `MaskinportenError`: Maskinporten or Altinn's token exchange said no (or could not be
 *   reached). Carries the server's code, a plain explanation and the likely fix.
 *
 * No message ever contains a private key, a grant or a token: every text that reaches a
 * message passes through `redact()`.
 */
import { parseJson } from './jwt';

export class CredentialSettingsError extends Error {
	constructor(
		/** The credential field at fault (its `name`, e.g. `privateKey`). */
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'CredentialSettingsError';
	}
}

/** The user-facing names of the credential fields, as the credential shows them. */
export const FIELD_LABELS = {
	environment: 'Environment',
	maskinportenUrl: 'Maskinporten URL',
	altinnPlatformUrl: 'Altinn Platform URL',
	altinnAppsUrl: 'Altinn Apps URL',
	clientId: 'Client ID',
	scopes: 'Scopes',
	keyType: 'Key Type',
	jwk: 'Private JWK',
	privateKey: 'Private Key (PEM)',
	keyId: 'Key ID',
	certificate: 'Certificate Chain (PEM)',
	algorithm: 'Signing Algorithm',
	resource: 'Resource',
	consumerOrg: 'Consumer Org Number',
	systemUserOrg: 'System User Org Number',
	systemUserExternalRef: 'System User External Reference',
} as const;

export type CredentialField = keyof typeof FIELD_LABELS;

/** Throws a `CredentialSettingsError` whose message starts with the field's label. */
export function failField(field: CredentialField, message: string): never {
	throw new CredentialSettingsError(field, `${FIELD_LABELS[field]} ${message}`);
}

/** A field's text value, trimmed; '' for anything that is not a string or a number. */
export function fieldText(value: unknown): string {
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

export type FailedStep = 'grant' | 'exchange';

export class MaskinportenError extends Error {
	constructor(
		message: string,
		/** What to do about it. */
		readonly hint: string,
		readonly details: {
			step: FailedStep;
			/** `MP-xxx` when Maskinporten gave one. */
			code?: string;
			/** OAuth `error`, e.g. `invalid_grant`. */
			error?: string;
			statusCode?: number;
		},
	) {
		super(message);
		this.name = 'MaskinportenError';
	}

	get code(): string | undefined {
		return this.details.code;
	}

	get statusCode(): number | undefined {
		return this.details.statusCode;
	}

	get step(): FailedStep {
		return this.details.step;
	}
}

const JWT_LIKE = /eyJ[\w-]*\.[\w-]*\.?[\w-]*/g;
const PEM_LIKE = /-----BEGIN [^-]+-----[\s\S]*?(-----END [^-]+-----|$)/g;
const LONG_BASE64 = /[A-Za-z0-9+/_-]{120,}={0,2}/g;

/** Removes anything that looks like a token, a PEM block or a long base64 blob, and shortens the text. */
export function redact(text: string, max = 300): string {
	const cleaned = text
		.replace(PEM_LIKE, '[redacted PEM]')
		.replace(JWT_LIKE, '[redacted token]')
		.replace(LONG_BASE64, '[redacted]')
		.replace(/\s+/g, ' ')
		.trim();
	return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}

// ---------------------------------------------------------------------------------------
// Maskinporten's error catalogue (docs.digdir.no, "Maskinporten feilsøking"), matched on the
// MP code or, when the server gave none, on the words of the description.
// ---------------------------------------------------------------------------------------

export interface ErrorContext {
	/** The Maskinporten issuer the grant was sent to (its `aud`). */
	issuer: string;
	environment: string;
	clientId: string;
	scopes: string[];
	keyDescription: string;
}

interface Explanation {
	code?: string;
	/** Matches the MP code or the description. */
	match: RegExp;
	explain: (ctx: ErrorContext) => string;
}

const ENV = (ctx: ErrorContext) =>
	ctx.environment === 'custom' ? `the Maskinporten at ${ctx.issuer}` : `${ctx.environment === 'production' ? 'Production' : 'Test'} Maskinporten (${ctx.issuer})`;

const CATALOGUE: Explanation[] = [
	{
		code: 'MP-012',
		match: /MP-012|used before/i,
		explain: () =>
			'Maskinporten has already seen this grant (its jti). Every grant is signed afresh, so this means two processes share a clock-frozen or replayed request, or a proxy resent it. Try again; if it persists, check for a proxy that retries POST requests.',
	},
	{
		code: 'MP-011',
		match: /MP-011|Invalid parameter value/i,
		explain: () =>
			'Maskinporten could not read the grant. Check Client ID and Scopes for stray characters (line breaks, quotes).',
	},
	{
		match: /no key identifier \(kid\) provided|requires pre-registered jwk/i,
		explain: () =>
			'This client has a registered key (JWK), so the grant must name it with a kid. Enter Key ID, or choose the key type the client was registered with.',
	},
	{
		match: /Unknown key identifier|unknown kid/i,
		explain: (ctx) =>
			`Maskinporten does not know the key ${ctx.keyDescription} for client "${ctx.clientId}". Check Key ID against the keys registered on the client in Samarbeidsportalen (the kid is case-sensitive), check Client ID, and check that the client is in ${ENV(ctx)}. For a business certificate that is not uploaded to the client, leave Key ID empty.`,
	},
	{
		code: 'MP-100',
		match: /MP-100|Client not found/i,
		explain: (ctx) =>
			`Maskinporten does not know client "${ctx.clientId}" in ${ENV(ctx)}. Check Client ID (the integration's client id from Samarbeidsportalen) and Environment: a client created in Test does not exist in Production, and the other way round.`,
	},
	{
		code: 'MP-110',
		match: /MP-110|claim aud/i,
		explain: (ctx) =>
			`The grant's audience was ${ctx.issuer}, which this Maskinporten does not accept. Check Environment; for Custom, the Maskinporten URL must be the issuer exactly as its .well-known/oauth-authorization-server document gives it.`,
	},
	{
		code: 'MP-120',
		match: /MP-120|invalid certificate/i,
		explain: (ctx) =>
			`Maskinporten does not accept the certificate. It is expired, revoked, not a business certificate (virksomhetssertifikat), or from the wrong environment: test certificates work only in Test, production certificates only in Production (you are using ${ENV(ctx)}).`,
	},
	{
		code: 'MP-121',
		match: /MP-121|Expired key/i,
		explain: () =>
			'The key registered on the client has expired (keys expire one year after they are uploaded). Upload a new public key (or the same one again) to the client in Samarbeidsportalen, then put the matching private key and Key ID here.',
	},
	{
		code: 'MP-122',
		match: /MP-122|Does not match certificate orgno/i,
		explain: () =>
			'The business certificate belongs to a different organisation than the Maskinporten client. Use the certificate of the organisation that owns the client.',
	},
	{
		code: 'MP-123',
		match: /MP-123|header x5c/i,
		explain: () =>
			'Maskinporten could not read the certificate chain in the grant header (x5c). Check Certificate: paste the PEM certificate(s), leaf first, each with its BEGIN/END lines.',
	},
	{
		code: 'MP-124',
		match: /MP-124|Invalid JWT signature/i,
		explain: (ctx) =>
			`The grant's signature does not verify with the key Maskinporten has for this client. The private key here is not the one registered under ${ctx.keyDescription}, or it is a test key used in Production (or the other way round; you are using ${ENV(ctx)}).`,
	},
	{
		code: 'MP-130',
		match: /MP-130|JWT is expired|Issue time is (after now|in the future)|too long lifetime|JWT has expired/i,
		explain: () =>
			"Maskinporten rejected the grant's timestamps. The clock of the machine running n8n is off by more than 10 seconds: synchronise it (NTP) and try again.",
	},
	{
		code: 'MP-200',
		match: /MP-200|invalid scopes for client/i,
		explain: (ctx) =>
			`Client "${ctx.clientId}" is not registered for all of these scopes: ${ctx.scopes.join(' ')}. Add the missing scopes to the client in Samarbeidsportalen (the API owner must have granted them to your organisation first), or correct Scopes.`,
	},
	{
		code: 'MP-201',
		match: /MP-201|not allowed for maskinporten/i,
		explain: () =>
			'The client is not a Maskinporten integration (its integration type is wrong for these scopes). Create or choose a client of type Maskinporten in Samarbeidsportalen.',
	},
	{
		code: 'MP-250',
		match: /MP-250|has not been granted access to the scope/i,
		explain: () =>
			'Your organisation has not been given access to this scope by the API owner. Ask the API owner (for altinn:serviceowner scopes, Digdir/Altinn) to grant it; if you act for another organisation as a supplier, set Consumer Org.',
	},
	{
		code: 'MP-251',
		match: /MP-251|has not delegated access/i,
		explain: () =>
			'The consumer organisation has not delegated this scope to you in Altinn. Ask them to delegate it (in Altinn: Profile → Access management → Maskinporten). Delegations made in production do not apply in Test (TT02), and the other way round.',
	},
	{
		match: /combination consumer_org/i,
		explain: () =>
			'Consumer Org is your own organisation number, or the client is not set up for delegation. Leave Consumer Org empty when you act for yourself.',
	},
	{
		code: 'MP-301',
		match: /MP-301|Unknown authorization details type/i,
		explain: () =>
			'This Maskinporten does not support system user tokens (authorization_details of type urn:altinn:systemuser). Check Environment, or clear System User Org.',
	},
	{
		code: 'MP-302',
		match: /MP-302|Unknown fields in the authorization details/i,
		explain: () =>
			'Maskinporten did not accept the system user details. Check System User Org and System User External Reference.',
	},
	{
		code: 'MP-303',
		match: /MP-303|Invalid authorization details values|invalid_altinn_customer_configuration/i,
		explain: () =>
			'No approved system user matches. Has the customer approved the system user request yet (its confirm URL)? Check System User Org (the customer that approved the system user), System User External Reference (needed only if the system user was created with one), and that the client is the one registered on the system in the system register.',
	},
];

const BY_ERROR: Record<string, string> = {
	invalid_scope: 'The client may not ask for these scopes. Check Scopes and the scopes registered on the client.',
	invalid_client: 'Maskinporten does not recognise the client. Check Client ID and Environment.',
	invalid_grant: 'Maskinporten rejected the grant. Check Client ID, the key and Key ID, and Environment.',
	unauthorized_client: 'The client is not allowed to use this grant type. It must be a Maskinporten client.',
	forbidden: 'Your organisation has not been granted these scopes. Ask the API owner, or check Consumer Org.',
	invalid_target: 'The client may not ask for this resource. Check Resource against the value the API owner gave you, or leave it empty.',
	invalid_request: 'Maskinporten could not read the request. Check Client ID, Scopes, Resource and the org numbers for stray characters.',
};

interface OAuthErrorBody {
	error?: unknown;
	error_description?: unknown;
}

/** Turns a non-2xx answer from Maskinporten's token endpoint into an explained error. */
export function maskinportenRejection(statusCode: number, body: string, ctx: ErrorContext): MaskinportenError {
	const parsed = parseJson(body) as OAuthErrorBody | undefined;
	const error = typeof parsed?.error === 'string' ? parsed.error : undefined;
	const description = typeof parsed?.error_description === 'string' ? redact(parsed.error_description) : undefined;

	if (!error && !description) {
		const what = body.trim() ? `a body that is not Maskinporten's JSON error ("${redact(problemText(body), 120)}")` : 'an empty body';
		const hint =
			statusCode >= 500
				? 'Maskinporten is having problems. Try again in a few minutes (status.digdir.no).'
				: `Check that ${ctx.issuer} is Maskinporten: Environment, or Maskinporten URL for Custom.`;
		return new MaskinportenError(`Maskinporten answered HTTP ${statusCode} with ${what}`, hint, { step: 'grant', statusCode });
	}

	const text = `${error ?? ''} ${description ?? ''}`;
	const known = CATALOGUE.find((entry) => entry.match.test(text));
	const code = /MP-\d{3}/.exec(text)?.[0] ?? known?.code;
	const hint = known?.explain(ctx) ?? (error && BY_ERROR[error]) ?? 'Check Client ID, Scopes, the key and Environment.';
	const message = `Maskinporten refused the token request (HTTP ${statusCode}${error ? ` ${error}` : ''})${description ? `: ${description}` : ''}`;
	return new MaskinportenError(message, hint, { step: 'grant', code, error, statusCode });
}

/** Maskinporten answered 200 but not with a token. */
export function maskinportenBadSuccess(body: string): MaskinportenError {
	const json = parseJson(body);
	const what = json === undefined ? 'a body that is not JSON' : 'JSON without an access_token';
	return new MaskinportenError(
		`Maskinporten answered HTTP 200 with ${what}`,
		'Check that the Maskinporten URL points at Maskinporten itself (its issuer URL, e.g. https://test.maskinporten.no/), not at a proxy or login page.',
		{ step: 'grant', statusCode: 200 },
	);
}

export function unreachable(
	step: FailedStep,
	request: { method: string; url: string },
	cause: unknown,
	attempts: number,
	timeoutMs: number,
): MaskinportenError {
	const reason = describeNetworkError(cause, timeoutMs);
	const service = step === 'grant' ? 'Maskinporten' : "Altinn's token exchange";
	return new MaskinportenError(
		`Could not reach ${service}: ${request.method} ${request.url} (${reason}; tried ${attempts} time${attempts === 1 ? '' : 's'})`,
		step === 'grant'
			? 'Check the network from n8n to Maskinporten (proxy, firewall, DNS) and, for Custom, the Maskinporten URL.'
			: 'Check the network from n8n to Altinn (proxy, firewall, DNS) and, for Custom, the Altinn Platform URL.',
		{ step },
	);
}

function describeNetworkError(cause: unknown, timeoutMs: number): string {
	const error = cause as { code?: unknown; message?: unknown } | undefined;
	const code = typeof error?.code === 'string' ? error.code : undefined;
	const message = typeof error?.message === 'string' ? redact(error.message, 160) : 'unknown error';
	// axios: `timeout of 30000ms exceeded` (ECONNABORTED or ETIMEDOUT).
	if (/timeout of \d+ms exceeded/i.test(message) || code === 'ETIMEDOUT') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
	return code && !message.includes(code) ? `${code}: ${message}` : message;
}

export interface ExchangeContext {
	url: string;
	environment: string;
	issuer: string;
}

/** Turns a non-200 answer from Altinn's token exchange into an explained error. */
export function exchangeRejection(statusCode: number, body: string, ctx: ExchangeContext): MaskinportenError {
	const detail = body.trim() ? ` – ${redact(problemText(body), 200)}` : '';
	const message = `Altinn's token exchange refused the Maskinporten token (HTTP ${statusCode}${detail})`;
	let hint: string;
	if (statusCode === 401) {
		hint =
			`Maskinporten issued the token, but Altinn at ${ctx.url} did not accept it. Usually the environments do not match: ` +
			'Test Maskinporten tokens work only with Altinn TT02, Production tokens only with platform.altinn.no ' +
			(ctx.environment === 'custom' ? '(check that Altinn Platform URL belongs to the Maskinporten URL). ' : '(check Environment). ') +
			'Altinn also answers 401 when the token names no consumer organisation, and during its own outages: try again in a minute.';
	} else if (statusCode === 410) {
		hint =
			'Altinn no longer accepts enterprise user (virksomhetsbruker) logins; they ended with Altinn 2. Use a system user (System User Org) or plain Maskinporten instead.';
	} else if (statusCode === 400 || statusCode === 404) {
		hint = `There is no Maskinporten exchange at ${ctx.url}. Check Environment, or Altinn Platform URL for Custom (for example https://platform.tt02.altinn.no).`;
	} else if (statusCode === 403) {
		hint = 'Altinn refused to exchange this token. Check Scopes (Altinn needs altinn:* scopes) and, for a system user, that it is approved.';
	} else if (statusCode === 429) {
		hint = 'Altinn is rate-limiting token exchanges. Wait a little and try again.';
	} else if (statusCode >= 500) {
		hint = 'Altinn authentication is having problems. Try again in a few minutes (status.altinn.no).';
	} else {
		hint = 'Check Environment (or Altinn Platform URL for Custom).';
	}
	return new MaskinportenError(message, hint, { step: 'exchange', statusCode });
}

export function exchangeBadSuccess(url: string): MaskinportenError {
	return new MaskinportenError(
		`Altinn's token exchange at ${url} answered HTTP 200, but the body is not an Altinn token`,
		'Check Altinn Platform URL: it must be the Altinn platform (e.g. https://platform.tt02.altinn.no), not a proxy or login page.',
		{ step: 'exchange', statusCode: 200 },
	);
}

/** The readable part of an RFC 7807 problem document or a JSON string literal, or the text itself. */
function problemText(body: string): string {
	const parsed = parseJson(body) as { title?: unknown; detail?: unknown } | string | undefined;
	if (typeof parsed === 'string') return parsed;
	if (parsed && typeof parsed === 'object') {
		const parts = [parsed.title, parsed.detail].filter((part): part is string => typeof part === 'string');
		if (parts.length) return parts.join(': ');
	}
	return body;
}
