/**
 * The credential's Test button. It must never lie, so it proves the values in the form and nothing
 * else: it signs a fresh grant, exchanges it, and shows the Altinn token to Altinn, without reading
 * the token n8n stored on the credential or the in-process cache (either may have come from other,
 * older values), and without storing what it gets.
 *
 * n8n shows only the message of a failed test, so the fix goes into the message itself.
 */
import { CredentialSettingsError, MaskinportenError } from './errors';
import { parseSettings } from './settings';
import { fetchToken, type HttpCall } from './tokenClient';

/** n8n's `INodeCredentialTestResult`, without importing n8n here. */
export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** Altinn refreshes only a valid Altinn token, so a 200 here proves the exchanged token works. */
const ALTINN_REFRESH_PATH = '/authentication/api/v1/refresh';

const withHint = (message: string, hint: string) => `${message.replace(/[.\s]+$/, '')}. ${hint}`;

/** The message a failed test shows: what failed, then what to do. */
function credentialTestMessage(error: unknown): string {
	if (error instanceof MaskinportenError) return withHint(error.message, error.hint);
	if (error instanceof CredentialSettingsError) {
		return withHint(`Maskinporten credential: ${error.message}`, 'Correct that field and test again.');
	}
	const reason = error instanceof Error ? error.message : String(error);
	return withHint(`The credential test could not complete: ${reason}`, 'Check Environment (or the URLs for Custom) and try again.');
}

/**
 * Grant + exchange from `credentials` (the form's values), then GET {platform}/authentication/api/v1/refresh
 * with the Altinn token. With the exchange switched off, the granted Maskinporten token is the proof.
 */
export async function testCredentials(http: HttpCall, credentials: Record<string, unknown>): Promise<CredentialTestResult> {
	try {
		const settings = parseSettings(credentials);
		const issued = await fetchToken(http, settings);
		if (!settings.exchangeToAltinn) {
			return { status: 'OK', message: 'Maskinporten issued a token for this client, key and scopes.' };
		}
		const url = `${settings.endpoints.altinnPlatformUrl}${ALTINN_REFRESH_PATH}`;
		const refreshed = await http({ method: 'GET', url, headers: { Authorization: `Bearer ${issued.token}` } });
		if (refreshed.statusCode !== 200) {
			return {
				status: 'Error',
				message: withHint(
					`Altinn did not accept the exchanged token at ${url} (HTTP ${refreshed.statusCode})`,
					'Check Environment (or Altinn Platform URL for Custom).',
				),
			};
		}
		return { status: 'OK', message: 'Maskinporten issued a token and Altinn accepted it in exchange.' };
	} catch (error) {
		return { status: 'Error', message: credentialTestMessage(error) };
	}
}
