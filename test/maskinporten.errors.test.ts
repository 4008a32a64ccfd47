/**
 * The error catalogue on canned Maskinporten bodies, for the codes the emulator does not
 * produce (or that our own client never provokes), and redaction.
 */
import { maskinportenRejection, redact } from '../credentials/maskinporten/errors';

const ctx = {
	issuer: 'https://test.maskinporten.no/',
	environment: 'test',
	clientId: 'my-client',
	scopes: ['altinn:serviceowner/instances.read'],
	keyDescription: 'kid "k1"',
};

const body = (error: string, description: string) => JSON.stringify({ error, error_description: description });

const cases: Array<[string, number, string, string | undefined, string]> = [
	['invalid_request', 400, 'MP-011: Invalid assertion. Invalid parameter value (trace_id: 1)', 'MP-011', 'Check Client ID and Scopes for stray characters'],
	['invalid_grant', 400, 'MP-123: Invalid JWT header x5c. Sjekk at sertifikatet ligger med som et array av string', 'MP-123', 'certificate chain in the grant header (x5c)'],
	['invalid_scope', 400, 'MP-201: Token request contains scopes not allowed for maskinporten', 'MP-201', 'not a Maskinporten integration'],
	['forbidden', 403, 'Consumer has not been granted access to the scope folkeregister:deling/offentligutenhjemmel. (correlation id: 2d4f)', 'MP-250', 'has not been given access to this scope by the API owner'],
	['invalid_authorization_details', 400, 'MP-301: Unknown authorization details type', 'MP-301', 'does not support system user tokens'],
	['invalid_authorization_details', 400, 'MP-302: Unknown fields in the authorization details: foo', 'MP-302', 'Check System User Org and System User External Reference'],
	['invalid_grant', 400, 'Invalid assertion. Client authentication failed. JWT has too long lifetime.', 'MP-130', 'synchronise it (NTP)'],
	['invalid_grant', 400, 'Invalid assertion. Client authentication failed. Issue time is in the future', 'MP-130', 'synchronise it (NTP)'],
	['invalid_grant', 400, 'MP-012: Validation of JWT Bearer grant failed. Grant is used before', 'MP-012', 'a proxy that retries POST requests'],
	['invalid_grant', 400, 'MP-121: Invalid assertion. Client authentication failed. Expired key', 'MP-121', 'keys expire one year after they are uploaded'],
	['invalid_client', 401, 'Something new', undefined, 'Check Client ID and Environment'],
	['server_error', 400, 'Something else new', undefined, 'Check Client ID, Scopes, the key and Environment.'],
];

describe('Maskinporten error catalogue', () => {
	it.each(cases)('%s %i "%s"', (error, status, description, code, hint) => {
		const explained = maskinportenRejection(status, body(error, description), ctx);
		expect(explained.message).toBe(`Maskinporten refused the token request (HTTP ${status} ${error}): ${description}`);
		expect(explained.code).toBe(code);
		expect(explained.hint).toContain(hint);
		expect(explained.statusCode).toBe(status);
	});

	it('says which environment the client was looked for in', () => {
		const hint = maskinportenRejection(400, body('invalid_grant', 'MP-100: Client not found'), { ...ctx, environment: 'production', issuer: 'https://maskinporten.no/' }).hint;
		expect(hint).toBe(
			'Maskinporten does not know client "my-client" in Production Maskinporten (https://maskinporten.no/). Check Client ID (the integration\'s client id from Samarbeidsportalen) and Environment: a client created in Test does not exist in Production, and the other way round.',
		);
	});

	it('explains non-JSON and empty bodies', () => {
		expect(maskinportenRejection(502, '<html>Bad gateway</html>', ctx).message).toBe(
			`Maskinporten answered HTTP 502 with a body that is not Maskinporten's JSON error ("<html>Bad gateway</html>")`,
		);
		expect(maskinportenRejection(500, '', ctx).message).toBe('Maskinporten answered HTTP 500 with an empty body');
	});
});

describe('redact', () => {
	it('removes tokens, PEM blocks and long base64, and shortens', () => {
		const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
		expect(redact(`bad ${jwt} here`)).toBe('bad [redacted token] here');
		expect(redact('key -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end')).toBe('key [redacted PEM] end');
		expect(redact(`x ${'A'.repeat(200)} y`)).toBe('x [redacted] y');
		expect(redact('word '.repeat(80), 10)).toBe('word word …');
	});
});
