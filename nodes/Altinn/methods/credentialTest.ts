import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { httpCallFromLegacyRequest, testCredentials } from '../../../credentials/maskinporten';

/**
 * The Maskinporten credential's Test button. n8n runs a node method named in the credential entry's
 * `testedBy` when the credential type has no `test` request (n8n 2.41,
 * packages/cli/src/services/credentials-tester.service.ts, getCredentialTestFunction). A method gets
 * the form's values and nothing else: n8n runs no preAuthentication for it, so the token stored on
 * the credential is neither used nor overwritten, and testCredentials bypasses the token cache.
 */
export async function maskinportenApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await testCredentials(httpCallFromLegacyRequest(this.helpers), credential.data ?? {});
}
