/**
 * The transport: the only code that speaks HTTP to Altinn. Operations and the trigger use it
 * like this and never build HTTP calls or parse errors themselves:
 *
 *   const urls = await resolveAltinnUrls.call(this);            // { platform, storage, events, app(org, app) }
 *   const instance = await altinnRequest.call(this, {
 *     method: 'GET', url: `${urls.storage}/instances/${partyId}/${guid}`,
 *     retry: 'safe',                       // 'safe': retried on 429/502/503/504 (500 for a GET)/reset/timeout/cut answer; 'never': sent once
 *     target: `instance ${partyId}/${guid}`,   // named in error messages
 *     action: 'read',                      // policy action, named in 403 messages
 *   }, itemIndex);                         // itemIndex: error context + the per-item system user
 *
 *   Options: qs (arrays repeat the key; empty values dropped), body (object → JSON; string,
 *   Buffer, or a stream sent once), headers, binary: 'buffer' | 'stream' (response as bytes),
 *   ambiguous (retry 'never' only: what to check if it may have taken effect), systemUser
 *   (explicit override; null = the credential even if the node sets one per item).
 *   `altinnRequestFull` returns { statusCode, headers, body }.
 *
 *   Paging: `collectPages(storageInstancePages.call(this, { url, qs, target }, i), limit?)`,
 *   `eventPages.call(this, { url, qs, target }, i)` (follows the `next` header),
 *   `authenticationPages.call(this, { url, target }, i)` (Authentication's `links.next`).
 *   Single-use bodies: `const token = await ensureFreshToken.call(this, probeUrl, i)`; if a token
 *   comes back, send with `altinnRequestWithToken.call(this, options, token, i)`.
 *   Errors: every failure is a NodeApiError from `toNodeError` (errors.ts); malformed input is
 *   refused by the operation before calling the transport.
 */
export type { AltinnContext } from './context';
export { CREDENTIAL_TYPE } from './context';
export { resolveAltinnUrls, altinnUrlsFrom, type AltinnUrls } from './urls';
export {
	altinnRequest,
	altinnRequestFull,
	altinnRequestWithToken,
	withQuery,
	type AltinnRequestOptions,
	type AltinnResponse,
	type ByteStream,
	type QueryValue,
} from './request';
export { storageInstancePages, eventPages, authenticationPages, collectPages, type PageRequest } from './paging';
export { toNodeError, describeAltinnError, parseErrorBody, formatValidationIssues, type AltinnFailure } from './errors';
export { ensureFreshToken, tokenFreshness } from './token';
export { REQUEST_OPTIONS, systemUserFor, type SystemUserOverride } from './systemUser';
export { DEFAULT_TIMEOUT_SEC } from './timeout';
export { headerValue } from './headers';
export { buildMultipart, streamMultipart, type FileMultipartPart, type MultipartPart } from './multipart';
