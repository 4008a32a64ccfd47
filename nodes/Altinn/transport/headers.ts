/** The one header reader for Altinn answers (n8n hands headers as a plain object, repeated headers as arrays). */

/** A header value as one string, matched case-insensitively; repeated headers are joined with ", ". */
export function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
	const value = key === undefined ? undefined : headers[key];
	if (Array.isArray(value)) return value.map(String).join(', ');
	return value === undefined || value === null ? undefined : String(value);
}
