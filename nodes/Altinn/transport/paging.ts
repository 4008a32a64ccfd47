/**
 * Paging. Storage instance queries answer `{ count, next, instances }` and put `next` (a full
 * URL with every original parameter) only on a full page; Events answers an array and puts the
 * next URL in the `next` response header (only on a non-empty page). Both generators follow
 * `next` verbatim until it is absent, one request per page, and stop when the caller stops
 * reading (Return All vs Limit).
 */
import type { IDataObject } from 'n8n-workflow';

import type { AltinnContext } from './context';
import { headerValue } from './headers';
import { altinnRequest, altinnRequestFull, type AltinnResponse, type QueryValue } from './request';

export interface PageRequest {
	/** The first page's URL (e.g. `${urls.storage}/instances`); later pages follow `next`. */
	url: string;
	qs?: Record<string, QueryValue>;
	/** For messages, e.g. `instances of ttd/my-app`. */
	target?: string;
	/** Sees each page's response headers (the trigger reads Altinn's clock from `Date`). */
	onHeaders?: (headers: AltinnResponse['headers']) => void;
}

interface InstancePage {
	count?: number;
	next?: string | null;
	instances?: IDataObject[];
}

/** One page's items and the URL of the next page; undefined ends paging without yielding. */
type PageReader = (url: string, qs: Record<string, QueryValue> | undefined) => Promise<{ items: IDataObject[]; next?: string } | undefined>;

/** Yields each page's items, following `next` verbatim (it already carries every parameter) until absent. */
async function* followNext(request: PageRequest, readPage: PageReader): AsyncGenerator<IDataObject[]> {
	let url: string | undefined = request.url;
	let qs = request.qs;
	while (url) {
		const page = await readPage(url, qs);
		if (!page) return;
		yield page.items;
		url = page.next;
		qs = undefined;
	}
}

/** Storage `GET /instances` pages: yields each page's instances, following `next` until absent. */
export function storageInstancePages(
	this: AltinnContext,
	request: PageRequest,
	itemIndex?: number,
): AsyncGenerator<IDataObject[]> {
	return followNext(request, async (url, qs) => {
		const res: AltinnResponse = await altinnRequestFull.call(
			this,
			{ method: 'GET', url, qs, retry: 'safe', target: request.target, action: 'read' },
			itemIndex,
		);
		request.onHeaders?.(res.headers);
		const page = res.body as InstancePage | undefined;
		return {
			items: page?.instances ?? [],
			next: typeof page?.next === 'string' && page.next ? page.next : undefined,
		};
	});
}

/** Events `GET /app/{org}/{app}` (or `/events`) pages: yields each page of CloudEvents, following the `next` header. */
export function eventPages(
	this: AltinnContext,
	request: PageRequest,
	itemIndex?: number,
): AsyncGenerator<IDataObject[]> {
	return followNext(request, async (url, qs) => {
		const res: AltinnResponse = await altinnRequestFull.call(
			this,
			{ method: 'GET', url, qs, retry: 'safe', target: request.target, headers: { Accept: 'application/cloudevents+json, application/json' } },
			itemIndex,
		);
		request.onHeaders?.(res.headers);
		const events = Array.isArray(res.body) ? (res.body as IDataObject[]) : [];
		if (events.length === 0) return undefined;
		return { items: events, next: headerValue(res.headers, 'next') || undefined };
	});
}

/**
 * Collects items from pages: all of them (`limit` undefined) or the first `limit`, stopping the
 * generator (no further request) as soon as it has enough.
 */
export async function collectPages<T>(pages: AsyncGenerator<T[]>, limit?: number): Promise<T[]> {
	const out: T[] = [];
	for await (const page of pages) {
		for (const item of page) {
			out.push(item);
			if (limit !== undefined && out.length >= limit) return out;
		}
	}
	return out;
}

/**
 * Altinn Authentication's `Paginated<T>` pages (`{ links: { next }, data }`, Altinn/altinn-authentication ad4f6f3,
 * src/Authentication/Model/Paginated.cs): yields each page's `data`, following `links.next` until it is null.
 */
export function authenticationPages(this: AltinnContext, request: PageRequest, itemIndex?: number): AsyncGenerator<IDataObject[]> {
	return followNext(request, async (url, qs) => {
		const page = (await altinnRequest.call(
			this,
			{ method: 'GET', url, qs, retry: 'safe', target: request.target, systemUser: null },
			itemIndex,
		)) as { links?: { next?: string | null }; data?: IDataObject[] } | undefined;
		const next = page?.links?.next;
		return { items: page?.data ?? [], next: typeof next === 'string' && next ? next : undefined };
	});
}
