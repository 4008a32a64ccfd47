/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Data element bytes without buffering large files: small uploads stay in memory, large
 * ones spill to a temp file while they stream in, and tests can declare "generated" blobs of
 * any size whose deterministic pseudo-random content is produced chunk by chunk on read.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, unlinkSync, type WriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

/** Where a data element's bytes are: memory, a file on disk, or generated on the fly (for huge files). */
export type Blob =
	| { kind: 'buffer'; data: Buffer }
	| { kind: 'file'; path: string; size: number }
	| { kind: 'generated'; size: number; seed: number };

/** Uploads up to this many bytes stay in memory; larger ones go to a temp file. */
export const SPILL_THRESHOLD = 1024 * 1024;
const CHUNK = 1024 * 1024;

export function blobSize(blob: Blob): number {
	return blob.kind === 'buffer' ? blob.data.length : blob.size;
}

/** A fresh stream of the blob's bytes (never materialises a file or generated blob). */
export function openBlob(blob: Blob): Readable {
	if (blob.kind === 'buffer') return Readable.from([blob.data]);
	if (blob.kind === 'file') return createReadStream(blob.path, { highWaterMark: CHUNK });
	return generatedStream(blob.size, blob.seed);
}

export async function readBlob(blob: Blob): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const c of openBlob(blob)) chunks.push(c as Buffer);
	return Buffer.concat(chunks);
}

/** mulberry32, seeded: fills one 1 MiB base block per seed. */
function baseBlock(seed: number): Buffer {
	const out = Buffer.alloc(CHUNK);
	let a = seed >>> 0;
	for (let i = 0; i < CHUNK; i += 4) {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		out.writeUInt32LE((t ^ (t >>> 14)) >>> 0, i);
	}
	return out;
}

/**
 * Chunk i of a generated blob is the seed's base block with its first 8 bytes replaced by
 * the chunk index, so reordered or repeated chunks change the hash.
 */
export function generatedStream(size: number, seed: number): Readable {
	const base = baseBlock(seed);
	let offset = 0;
	let index = 0;
	return new Readable({
		highWaterMark: CHUNK,
		read() {
			if (offset >= size) {
				this.push(null);
				return;
			}
			const len = Math.min(CHUNK, size - offset);
			const chunk = Buffer.from(base.subarray(0, len));
			if (len >= 8) chunk.writeBigUInt64LE(BigInt(index), 0);
			offset += len;
			index++;
			this.push(chunk);
		},
	});
}

/** SHA-256 (hex) of any byte stream, computed as it flows. */
export async function sha256OfStream(stream: AsyncIterable<unknown>): Promise<string> {
	const hash = createHash('sha256');
	for await (const c of stream) hash.update(c as Buffer);
	return hash.digest('hex');
}

/** The expected SHA-256 (hex) of a generated blob, computed in a streaming fashion. */
export async function generatedBlobSha256(size: number, seed: number): Promise<string> {
	return await sha256OfStream(generatedStream(size, seed));
}

/** A private temp directory for uploads that spill to disk; one per world, removed by `removeAll()`. */
export class TempFiles {
	private dir: string | undefined;
	private seq = 0;

	path(): string {
		this.dir ??= mkdtempSync(join(tmpdir(), 'altinn-emulator-'));
		return join(this.dir, `blob-${process.pid}-${++this.seq}`);
	}

	removeAll(): void {
		if (this.dir) rmSync(this.dir, { recursive: true, force: true });
		this.dir = undefined;
	}
}

export function discardBlob(blob: Blob | undefined): void {
	if (blob?.kind === 'file') {
		try {
			unlinkSync(blob.path);
		} catch {
			// already gone
		}
	}
}

export type ReceiveResult = { blob: Blob; size: number } | { tooLarge: true; size: number };

/**
 * Streams a request body into a blob: memory up to SPILL_THRESHOLD, then a file in `temp`.
 * Over `limitBytes` the rest is drained and discarded and `tooLarge` is returned.
 */
export function receiveBlob(source: Readable | IncomingMessage, limitBytes: number, temp: TempFiles): Promise<ReceiveResult> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let file: WriteStream | undefined;
		let path: string | undefined;
		let tooLarge = false;
		source.on('data', (c: Buffer) => {
			size += c.length;
			if (tooLarge) return;
			if (size > limitBytes) {
				tooLarge = true;
				chunks.length = 0;
				if (file) {
					file.destroy();
					if (path) discardBlob({ kind: 'file', path, size: 0 });
					file = undefined;
				}
				return;
			}
			if (file) {
				if (!file.write(c)) {
					source.pause();
					file.once('drain', () => source.resume());
				}
				return;
			}
			chunks.push(c);
			if (size > SPILL_THRESHOLD) {
				path = temp.path();
				file = createWriteStream(path);
				file.on('error', reject);
				file.write(Buffer.concat(chunks));
				chunks.length = 0;
			}
		});
		source.on('error', reject);
		source.on('end', () => {
			if (tooLarge) return resolve({ tooLarge: true, size });
			if (!file) return resolve({ blob: { kind: 'buffer', data: Buffer.concat(chunks) }, size });
			const p = path as string;
			file.end(() => resolve({ blob: { kind: 'file', path: p, size }, size }));
		});
	});
}
