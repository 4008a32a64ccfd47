/**
 * multipart/form-data built by hand into one Buffer (no dependency, and a Buffer can be resent
 * after n8n refreshes a token). Used by instantiate with data parts.
 */
import { randomBytes } from 'node:crypto';

export interface MultipartPart {
	/** The part name: `instance` for the template, or a data type id. */
	name: string;
	contentType: string;
	data: Buffer | string;
	/** For attachments. */
	fileName?: string;
}

const quoted = (value: string) => value.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));

/** Pure: the body and its Content-Type header. */
export function buildMultipart(parts: MultipartPart[], boundary = `----n8nAltinn${randomBytes(12).toString('hex')}`): {
	body: Buffer;
	contentType: string;
} {
	const chunks: Buffer[] = [];
	for (const part of parts) {
		let disposition = `form-data; name="${quoted(part.name)}"`;
		if (part.fileName !== undefined) {
			const ascii = part.fileName.replace(/[^\x20-\x7e]/g, '_');
			disposition += `; filename="${quoted(ascii)}"; filename*=UTF-8''${encodeURIComponent(part.fileName)}`;
		}
		chunks.push(
			Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.contentType}\r\n\r\n`),
			Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data),
			Buffer.from('\r\n'),
		);
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
