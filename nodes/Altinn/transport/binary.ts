/**
 * Files in and out of Altinn without a whole-file buffer.
 *
 * Download: the response is requested as a stream and handed to `prepareBinaryData`, which in
 * filesystem (or S3) binary mode writes it straight to the store; only the inline (default)
 * mode buffers, because that mode keeps every file as base64 in the item anyway.
 *
 * Upload: a binary that lives in the store (it has an `id`) is read with `getBinaryStream` and
 * sent as the request body with its Content-Length; an inline binary is sent as its buffer.
 * A streamed body cannot be sent twice, so the token is refreshed before the request rather
 * than after a 401, redirects are not followed (following them would make the HTTP client keep
 * a copy of the whole body), and an upload is never retried after an ambiguous failure.
 */
import type { IBinaryData, IExecuteFunctions, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { headerValue } from './headers';
import { altinnRequestFull, altinnRequestWithToken, type AltinnRequestOptions, type AltinnResponse } from './request';
import { ensureFreshToken } from './token';

/** The stream type n8n's binary helpers hand out, named without importing `node:stream`. */
export type BinaryStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

/** A binary input field, described before any byte of it is read. */
export interface BinaryUploadFile {
	/** The input field it came from, for messages. */
	field: string;
	fileName: string;
	mimeType: string;
	/** Size in bytes. */
	size: number;
	/** Opens the bytes: a stream from the binary store, or the inline buffer. */
	open(): Promise<Buffer | BinaryStream>;
	/** Whether `open()` gives a stream (a body that can be sent only once). */
	streamed: boolean;
}

const MB = 1024 * 1024;

/**
 * Describes an input item's binary field without loading it. Throws n8n's own
 * "no binary field 'x'" error (which names the field) when it is missing.
 */
export async function describeBinaryField(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
): Promise<BinaryUploadFile> {
	const binary: IBinaryData = this.helpers.assertBinaryData(itemIndex, field);
	const fallbackName = binary.fileName ?? (binary.fileExtension ? `${field}.${binary.fileExtension}` : field);
	if (binary.id) {
		const id = binary.id;
		const metadata = await this.helpers.getBinaryMetadata(id);
		return {
			field,
			fileName: binary.fileName ?? metadata.fileName ?? fallbackName,
			mimeType: binary.mimeType || metadata.mimeType || 'application/octet-stream',
			size: metadata.fileSize ?? binary.bytes ?? 0,
			streamed: true,
			open: async () => await this.helpers.getBinaryStream(id),
		};
	}
	const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, field);
	return {
		field,
		fileName: fallbackName,
		mimeType: binary.mimeType || 'application/octet-stream',
		size: buffer.length,
		streamed: false,
		open: async () => buffer,
	};
}

/** Altinn data types give `maxSize` in MB. */
export function exceedsMaxSize(sizeBytes: number, maxSizeMb: number | null | undefined): boolean {
	return typeof maxSizeMb === 'number' && maxSizeMb > 0 && sizeBytes > maxSizeMb * MB;
}

export function formatBytes(bytes: number): string {
	if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
	if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
	return `${bytes} bytes`;
}

/**
 * `attachment; filename="x"; filename*=UTF-8''x`, as Altinn's docs show. The quoted name is an
 * ASCII fallback (non-ASCII, quotes and backslashes replaced); `filename*` carries the real name.
 */
function contentDispositionHeader(fileName: string): string {
	const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The file name in a Content-Disposition header; `filename*` (RFC 5987) wins over `filename`. */
function fileNameFromContentDisposition(header: unknown): string | undefined {
	if (typeof header !== 'string' || header === '') return undefined;
	const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
	if (extended) {
		try {
			return decodeURIComponent(extended[2].trim().replace(/^"|"$/g, ''));
		} catch {
			// fall through to the plain parameter
		}
	}
	const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
	if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
	const bare = /filename\s*=\s*([^;]+)/i.exec(header);
	return bare ? bare[1].trim() : undefined;
}

/** The MIME type without parameters (`text/xml; charset=utf-8` -> `text/xml`). */
export function bareMimeType(value: string | undefined): string | undefined {
	const bare = value?.split(';')[0].trim().toLowerCase();
	return bare ? bare : undefined;
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface DownloadRequest {
	/** The file's URL, e.g. a data element's Storage `selfLinks.platform`. */
	url: string;
	/** For messages, e.g. `data element 9f3c… of instance 50001234/1b4e…`. */
	target?: string;
	/** The element's own file name and content type; the response headers fill what is missing. */
	fileName?: string;
	mimeType?: string;
	/** Used when neither the element nor the response names the file. */
	fallbackFileName?: string;
}

/**
 * Downloads a file into n8n's binary store as a stream (constant memory in filesystem mode).
 * The file name and content type are the element's, else the response's Content-Disposition
 * and Content-Type.
 */
export async function downloadToBinary(
	this: IExecuteFunctions | IPollFunctions | IWebhookFunctions,
	request: DownloadRequest,
	itemIndex?: number,
): Promise<IBinaryData> {
	const response = await altinnRequestFull.call(
		this,
		{ method: 'GET', url: request.url, binary: 'stream', retry: 'safe', target: request.target, action: 'read' },
		itemIndex,
	);
	const headers = response.headers as Record<string, unknown>;
	const mimeType = nonEmpty(request.mimeType) ?? nonEmpty(headerValue(headers, 'content-type')) ?? 'application/octet-stream';
	const fileName =
		nonEmpty(request.fileName) ??
		fileNameFromContentDisposition(headerValue(headers, 'content-disposition')) ??
		withExtension(nonEmpty(request.fallbackFileName) ?? 'data', mimeType);
	try {
		return await this.helpers.prepareBinaryData(response.body as Buffer, fileName, mimeType);
	} catch (error) {
		// n8n's binary helper reports a broken stream with an error of its own (sometimes without
		// a message); the stream's own error says what broke it (our idle timeout, a lost connection).
		const cause = (response.body as { errored?: unknown } | undefined)?.errored ?? error;
		if (cause instanceof NodeApiError) throw cause;
		throw response.streamFailure?.(cause) ?? new NodeOperationError(this.getNode(), error as Error, { itemIndex });
	}
}

/** File extensions of the content types Altinn apps store (form data as XML or JSON, attachments). */
const EXTENSIONS: Record<string, string> = {
	'application/xml': 'xml',
	'text/xml': 'xml',
	'application/json': 'json',
	'application/pdf': 'pdf',
	'text/plain': 'txt',
	'text/csv': 'csv',
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/gif': 'gif',
	'application/zip': 'zip',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

/** `name` with the content type's extension added, when it has none and the type is known (model-… → model-….xml). */
function withExtension(name: string, mimeType: string): string {
	if (/\.[a-z0-9]{1,5}$/i.test(name)) return name;
	const extension = EXTENSIONS[mimeType.split(';')[0].trim().toLowerCase()];
	return extension ? `${name}.${extension}` : name;
}

export interface UploadRequest {
	method: 'POST' | 'PUT';
	url: string;
	file: BinaryUploadFile;
	/** A cheap authenticated GET that may be used to refresh an expired token first (e.g. the instance). */
	probeUrl: string;
	target?: string;
	/** What to check before running it again after an ambiguous failure. */
	ambiguous?: string;
	qs?: AltinnRequestOptions['qs'];
}

/**
 * Sends a binary as the raw request body with `Content-Type`, `Content-Disposition` and
 * `Content-Length`. Sent once (never retried). A streamed body is preceded by a token check, so
 * that it does not meet a 401 that n8n could not answer by resending.
 */
export async function uploadBinary<T = unknown>(
	this: IExecuteFunctions,
	request: UploadRequest,
	itemIndex: number,
): Promise<AltinnResponse<T>> {
	const { file } = request;
	const token = file.streamed ? await ensureFreshToken.call(this, request.probeUrl, itemIndex) : undefined;
	const options: AltinnRequestOptions = {
		method: request.method,
		url: request.url,
		qs: request.qs,
		headers: {
			'Content-Type': file.mimeType,
			'Content-Disposition': contentDispositionHeader(file.fileName),
			'Content-Length': String(file.size),
		},
		body: await file.open(),
		retry: 'never',
		target: request.target,
		action: 'write',
		ambiguous: request.ambiguous,
	};
	const response = token
		? await altinnRequestWithToken.call(this, options, token, itemIndex)
		: await altinnRequestFull.call(this, options, itemIndex);
	return response as AltinnResponse<T>;
}

function nonEmpty(value: string | undefined | null): string | undefined {
	const text = value?.trim();
	return text ? text : undefined;
}
