/**
 * A small multipart/form-data parser (RFC 7578) and Content-Disposition reader, so the
 * emulator accepts the same instantiation and upload bodies as the real app without a
 * dependency.
 */

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
