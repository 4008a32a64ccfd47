/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * A small multipart/form-data parser (RFC 7578) and Content-Disposition reader, so the
 * emulator accepts the same instantiation and upload bodies as the real app without a
 * dependency. `parseMultipartStream` reads a body as it arrives and spills large parts to temp
 * files, so a test that measures the client's memory does not measure the emulator's.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

import { SPILL_THRESHOLD, type Blob, type TempFiles } from './blobs';

export interface Part {
	headers: Record<string, string>;
	/** `name` from the part's Content-Disposition. */
	name?: string;
	filename?: string;
	contentType?: string;
	contentDisposition?: string;
	body: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
	const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
	return m ? (m[1] ?? m[2]).trim() : undefined;
}

export function isMultipart(contentType: string | undefined): boolean {
	return /^multipart\//i.test(contentType ?? '');
}

/** Parses a buffered multipart body; throws on a malformed one. */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
	const delimiter = Buffer.from(`--${boundary}`);
	const parts: Part[] = [];
	let pos = body.indexOf(delimiter);
	if (pos < 0) throw new Error('Multipart boundary not found');
	for (;;) {
		pos += delimiter.length;
		if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
		if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
		const headerEnd = body.indexOf('\r\n\r\n', pos);
		if (headerEnd < 0) throw new Error('Malformed multipart part headers');
		const headers: Record<string, string> = {};
		for (const line of body.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
			const i = line.indexOf(':');
			if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
		}
		const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
		if (next < 0) throw new Error('Multipart closing boundary not found');
		const disposition = parseContentDisposition(headers['content-disposition']);
		parts.push({
			headers,
			name: disposition.params.name,
			filename: disposition.filename,
			contentType: headers['content-type'],
			contentDisposition: headers['content-disposition'],
			body: body.subarray(headerEnd + 4, next),
		});
		pos = next + 2;
	}
	return parts;
}

/** Reads `attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`; `filename*` wins. */
export function parseContentDisposition(value: string | undefined): {
	type?: string;
	filename?: string;
	params: Record<string, string>;
} {
	if (!value) return { params: {} };
	const params: Record<string, string> = {};
	const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
	const type = value.split(';')[0].trim().toLowerCase();
	let m: RegExpExecArray | null;
	while ((m = re.exec(value))) params[m[1].toLowerCase()] = (m[2] ?? m[3] ?? '').trim();
	let filename = params.filename;
	const star = params['filename*'];
	if (star) {
		const sm = /^[^']*'[^']*'(.*)$/.exec(star);
		try {
			filename = decodeURIComponent(sm ? sm[1] : star);
		} catch {
			filename = sm ? sm[1] : star;
		}
	}
	return { type, filename: filename || undefined, params };
}

/** A part read by `parseMultipartStream`: its bytes are a blob (memory, or a temp file when large). */
export interface StreamedPart extends Omit<Part, 'body'> {
	blob: Blob;
	size: number;
}

/** Collects one part's bytes: in memory up to SPILL_THRESHOLD, then appended to a temp file. */
class PartSink {
	private chunks: Buffer[] = [];
	private fd: number | undefined;
	private path: string | undefined;
	size = 0;

	constructor(private readonly temp: TempFiles) {}

	write(chunk: Buffer): void {
		if (!chunk.length) return;
		this.size += chunk.length;
		if (this.fd !== undefined) {
			writeSync(this.fd, chunk);
			return;
		}
		this.chunks.push(Buffer.from(chunk));
		if (this.size > SPILL_THRESHOLD) {
			this.path = this.temp.path();
			this.fd = openSync(this.path, 'w');
			for (const c of this.chunks) writeSync(this.fd, c);
			this.chunks = [];
		}
	}

	close(): Blob {
		if (this.fd === undefined) return { kind: 'buffer', data: Buffer.concat(this.chunks) };
		closeSync(this.fd);
		return { kind: 'file', path: this.path as string, size: this.size };
	}
}

/** Parses a multipart body as it streams in; throws on a malformed one (as `parseMultipart`). */
export async function parseMultipartStream(source: AsyncIterable<unknown>, boundary: string, temp: TempFiles): Promise<StreamedPart[]> {
	const delimiter = Buffer.from(`--${boundary}`);
	const between = Buffer.from(`\r\n--${boundary}`);
	const parts: StreamedPart[] = [];
	type State = 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done';
	let state = 'preamble' as State;
	let buf: Buffer = Buffer.alloc(0);
	let current: { headers: Record<string, string>; sink: PartSink } | undefined;

	const step = (final: boolean): boolean => {
		if (state === 'preamble') {
			const at = buf.indexOf(delimiter);
			if (at < 0) {
				buf = buf.subarray(Math.max(0, buf.length - delimiter.length));
				return false;
			}
			buf = buf.subarray(at + delimiter.length);
			state = 'afterDelimiter';
			return true;
		}
		if (state === 'afterDelimiter') {
			if (buf.length < 2) return false;
			const two = buf.subarray(0, 2).toString();
			if (two === '--') {
				state = 'done';
				return false;
			}
			buf = buf.subarray(two === '\r\n' ? 2 : 0);
			state = 'headers';
			return true;
		}
		if (state === 'headers') {
			const end = buf.indexOf('\r\n\r\n');
			if (end < 0) return false;
			const headers: Record<string, string> = {};
			for (const line of buf.subarray(0, end).toString('utf8').split('\r\n')) {
				const i = line.indexOf(':');
				if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
			}
			current = { headers, sink: new PartSink(temp) };
			buf = buf.subarray(end + 4);
			state = 'body';
			return true;
		}
		if (state === 'body' && current) {
			const at = buf.indexOf(between);
			if (at < 0) {
				// Keep a tail that could be the start of the next delimiter.
				const keep = final ? buf.length : Math.min(buf.length, between.length - 1);
				current.sink.write(buf.subarray(0, buf.length - keep));
				buf = buf.subarray(buf.length - keep);
				return false;
			}
			current.sink.write(buf.subarray(0, at));
			const disposition = parseContentDisposition(current.headers['content-disposition']);
			const size = current.sink.size;
			parts.push({
				headers: current.headers,
				name: disposition.params.name,
				filename: disposition.filename,
				contentType: current.headers['content-type'],
				contentDisposition: current.headers['content-disposition'],
				blob: current.sink.close(),
				size,
			});
			current = undefined;
			buf = buf.subarray(at + between.length);
			state = 'afterDelimiter';
			return true;
		}
		return false;
	};

	for await (const chunk of source) {
		if (state === 'done') continue; // the epilogue is ignored
		buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
		while (step(false));
	}
	while (state !== 'done' && step(true));
	if (state === 'preamble') throw new Error('Multipart boundary not found');
	if (state === 'headers') throw new Error('Malformed multipart part headers');
	if (state !== 'done') {
		current?.sink.close();
		throw new Error('Multipart closing boundary not found');
	}
	return parts;
}
