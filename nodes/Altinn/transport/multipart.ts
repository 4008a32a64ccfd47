/**
 * multipart/form-data for instantiation with data parts, built by hand (no dependency).
 *
 * `buildMultipart`: one Buffer, for small parts (the instance template, inline binaries), which
 * n8n can resend after refreshing a token.
 * `streamMultipart`: files that live in n8n's binary store are streamed into the body one after
 * the other, with an exact Content-Length, so no file is held in memory; such a body can be sent
 * only once (see `ensureFreshToken`).
 */
import { randomBytes } from 'node:crypto';

import type { BinaryStream, BinaryUploadFile } from './binary';

export interface MultipartPart {
	/** The part name: `instance` for the template, or a data type id. */
	name: string;
	contentType: string;
	data: Buffer | string;
	/** For attachments. */
	fileName?: string;
}

/** A part whose bytes come from a binary field (see `describeBinaryField`). */
export interface FileMultipartPart {
	name: string;
	file: BinaryUploadFile;
	/** For attachments; form data parts have none. */
	fileName?: string;
}

const quoted = (value: string) => value.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));

const newBoundary = () => `----n8nAltinn${randomBytes(12).toString('hex')}`;

/** Pure: the delimiter and headers that open a part. */
function partHead(boundary: string, name: string, contentType: string, fileName: string | undefined): Buffer {
	let disposition = `form-data; name="${quoted(name)}"`;
	if (fileName !== undefined) {
		const ascii = fileName.replace(/[^\x20-\x7e]/g, '_');
		disposition += `; filename="${quoted(ascii)}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
	}
	return Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${contentType}\r\n\r\n`);
}

const PART_END = Buffer.from('\r\n');
const closing = (boundary: string) => Buffer.from(`--${boundary}--\r\n`);
const contentTypeOf = (boundary: string) => `multipart/form-data; boundary=${boundary}`;

/** Pure: the body and its Content-Type header. */
export function buildMultipart(parts: MultipartPart[], boundary = newBoundary()): { body: Buffer; contentType: string } {
	const chunks: Buffer[] = [];
	for (const part of parts) {
		chunks.push(partHead(boundary, part.name, part.contentType, part.fileName), Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data), PART_END);
	}
	chunks.push(closing(boundary));
	return { body: Buffer.concat(chunks), contentType: contentTypeOf(boundary) };
}

/**
 * `Readable.from`, taken from a stream n8n's binary store gave us: runtime code may not import
 * `node:stream`, and the HTTP client sends a body as a stream only if it is a real Readable.
 */
type ReadableClass = { from(source: AsyncIterable<Buffer>, options?: { objectMode?: boolean }): BinaryStream };
function readableClassOf(sample: BinaryStream): ReadableClass | undefined {
	for (let proto = Object.getPrototypeOf(sample) as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
		const ctor = (proto as { constructor?: { name?: string; from?: unknown } }).constructor;
		if (ctor?.name === 'Readable' && typeof ctor.from === 'function') return ctor as ReadableClass;
	}
	return undefined;
}

/**
 * The body for `head` (small parts, e.g. the template) followed by `files`: a stream when any
 * file lives in the binary store (each opened only when its turn comes, so one file at a time
 * is read), else one Buffer. Returns the Content-Type and the exact Content-Length.
 */
export async function streamMultipart(
	head: MultipartPart[],
	files: FileMultipartPart[],
	boundary = newBoundary(),
): Promise<{ body: Buffer | BinaryStream; contentType: string; contentLength: number; streamed: boolean }> {
	const contentType = contentTypeOf(boundary);
	const first = buildMultipart(head, boundary).body;
	const lead = first.subarray(0, first.length - closing(boundary).length);
	const heads = files.map((part) => partHead(boundary, part.name, part.file.mimeType, part.fileName));
	const contentLength =
		lead.length + files.reduce((sum, part, i) => sum + heads[i].length + part.file.size + PART_END.length, 0) + closing(boundary).length;

	const firstStreamed = files.find((part) => part.file.streamed);
	const sample = firstStreamed ? ((await firstStreamed.file.open()) as BinaryStream) : undefined;
	const Readable = sample ? readableClassOf(sample) : undefined;
	if (!sample || !Readable) {
		const chunks: Buffer[] = [lead];
		for (const [i, part] of files.entries()) chunks.push(heads[i], (await part.file.open()) as Buffer, PART_END);
		chunks.push(closing(boundary));
		return { body: Buffer.concat(chunks), contentType, contentLength, streamed: false };
	}
	async function* chunks(): AsyncGenerator<Buffer> {
		yield lead;
		for (const [i, part] of files.entries()) {
			yield heads[i];
			const bytes = part === firstStreamed ? sample : await part.file.open();
			if (Buffer.isBuffer(bytes)) yield bytes;
			else for await (const chunk of bytes as AsyncIterable<Buffer>) yield chunk;
			yield PART_END;
		}
		yield closing(boundary);
	}
	return { body: Readable.from(chunks(), { objectMode: false }), contentType, contentLength, streamed: true };
}
