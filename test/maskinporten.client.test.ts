/**
 * The token client and cache against a scripted HTTP function: request shape, exchange body
 * forms, lifetimes, retries, the exchange-401 second chance, caching, single-flight and
 * `staleToken`.
 */
import * as jose from 'jose';
import { sleep } from 'n8n-workflow';

import { clearTokenCache, getAccessToken, httpCallFrom, type HttpCall, type HttpRequest, type HttpResponse } from '../credentials/maskinporten';
import { parseSettings } from '../credentials/maskinporten/settings';
import { safetyMarginMs, TokenCache } from '../credentials/maskinporten/tokenCache';
import { exchangeUrl, parseExchangeBody } from '../credentials/maskinporten/tokenClient';
import { testKey } from './support/keys';
import { testJwkCredential } from './support/credentials';

const key = testKey('client-key');
const fast = { retryDelaysMs: [1, 1] };

const credentials = (over: Record<string, unknown> = {}): Record<string, unknown> => testJwkCredential(key, over);

/** An unsigned JWT-shaped token with the given exp (the client only decodes it). */
const fakeJwt = (claims: Record<string, unknown>) =>
	`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

type Responder = (request: HttpRequest, index: number) => HttpResponse | Promise<HttpResponse>;

function scripted(grant: Responder, exchange?: Responder) {
	const grants: HttpRequest[] = [];
	const exchanges: HttpRequest[] = [];
	const http: HttpCall = async (request) => {
		if (request.method === 'POST') {
			grants.push(request);
			return await grant(request, grants.length - 1);
		}
		exchanges.push(request);
		if (!exchange) throw new Error('no exchange expected');
		return await exchange(request, exchanges.length - 1);
	};
	return { http, grants, exchanges };
}

const mpOk = (n = 0, expiresIn = 120): HttpResponse => ({
	statusCode: 200,
	body: JSON.stringify({ access_token: fakeJwt({ n, scope: 's' }), token_type: 'Bearer', expires_in: expiresIn, scope: 's' }),
});
const altinnToken = (exp = Math.floor(Date.now() / 1000) + 1800, n = 0) => fakeJwt({ exp, n, 'urn:altinn:org': 'ttd' });

beforeEach(() => clearTokenCache());

describe('token request', () => {
	it('posts a signed grant form-encoded to {issuer}token and returns the raw token when exchange is off', async () => {
		const { http, grants } = scripted(() => mpOk(1, 300));
		const before = Date.now();
		const issued = await getAccessToken(http, credentials({ exchangeToAltinn: false }), { client: fast });
		expect(grants).toHaveLength(1);
		expect(grants[0].url).toBe('https://test.maskinporten.no/token');
		expect(grants[0].headers['Content-Type']).toBe('application/x-www-form-urlencoded');
		const form = new URLSearchParams(grants[0].body);
		expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
		const { payload } = await jose.jwtVerify(form.get('assertion')!, await jose.importJWK(key.publicJwk, 'RS256'));
		expect(payload.aud).toBe('https://test.maskinporten.no/');
		expect(jose.decodeJwt(issued.token).n).toBe(1);
		// Raw Maskinporten token: lifetime from expires_in.
		expect(issued.expiresAt).toBeGreaterThanOrEqual(before + 300_000);
		expect(issued.expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
	});

	it('exchanges at {platform}/authentication/api/v1/exchange/maskinporten with the Maskinporten token as Bearer', async () => {
		const exp = Math.floor(Date.now() / 1000) + 1700;
		const { http, exchanges } = scripted(() => mpOk(7, 120), () => ({ statusCode: 200, body: altinnToken(exp) }));
		const issued = await getAccessToken(http, credentials(), { client: fast });
		expect(exchanges).toHaveLength(1);
		expect(exchanges[0].url).toBe('https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten');
		expect(exchanges[0].headers.Authorization).toMatch(/^Bearer eyJ/);
		expect(jose.decodeJwt(exchanges[0].headers.Authorization.slice(7)).n).toBe(7);
		// Altinn token: lifetime from its own exp, not from Maskinporten's expires_in (120 s).
		expect(issued.expiresAt).toBe(exp * 1000);
	});

	it('adds ?test=true for the Altinn test org and uses platform.altinn.no in production', () => {
		expect(exchangeUrl(parseSettings(credentials({ useAltinnTestOrg: true })))).toBe(
			'https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten?test=true',
		);
		expect(exchangeUrl(parseSettings(credentials({ environment: 'production' })))).toBe(
			'https://platform.altinn.no/authentication/api/v1/exchange/maskinporten',
		);
	});

	it('reads the exchange body as plain text, a JSON string literal, or {access_token}', () => {
		const token = altinnToken();
		expect(parseExchangeBody(token)).toBe(token);
		expect(parseExchangeBody(` ${token}\n`)).toBe(token);
		expect(parseExchangeBody(JSON.stringify(token))).toBe(token);
		expect(parseExchangeBody(JSON.stringify({ access_token: token }))).toBe(token);
		expect(parseExchangeBody('<html>login</html>')).toBeUndefined();
		expect(parseExchangeBody('')).toBeUndefined();
	});

	it('falls back to the token exp, then 120 s, when expires_in is missing', async () => {
		const exp = Math.floor(Date.now() / 1000) + 500;
		const { http } = scripted(() => ({ statusCode: 200, body: JSON.stringify({ access_token: fakeJwt({ exp }) }) }));
		expect((await getAccessToken(http, credentials({ exchangeToAltinn: false }))).expiresAt).toBe(exp * 1000);
	});
});

describe('retries', () => {
	it('retries a 503 with a freshly signed grant (new jti) and succeeds', async () => {
		const { http, grants } = scripted((_r, i) => (i === 0 ? { statusCode: 503, body: '' } : mpOk()));
		await getAccessToken(http, credentials({ exchangeToAltinn: false }), { client: fast });
		expect(grants).toHaveLength(2);
		const jti = (r: HttpRequest) => jose.decodeJwt(new URLSearchParams(r.body).get('assertion')!).jti;
		expect(jti(grants[0])).not.toBe(jti(grants[1]));
	});

	it('retries network errors twice with the given pauses, then explains', async () => {
		const pauses: number[] = [];
		const { http, grants } = scripted(() => {
			throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
		});
		await expect(
			getAccessToken(http, credentials(), { client: { retryDelaysMs: [5, 10], sleep: async (ms) => void pauses.push(ms) } }),
		).rejects.toThrow('Could not reach Maskinporten: POST https://test.maskinporten.no/token (connect ECONNREFUSED 127.0.0.1:9; tried 3 times)');
		expect(grants).toHaveLength(3);
		expect(pauses).toEqual([5, 10]);
	});

	it('never retries a 4xx', async () => {
		const { http, grants } = scripted(() => ({ statusCode: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'MP-100: Client not found' }) }));
		await expect(getAccessToken(http, credentials(), { client: fast })).rejects.toThrow(/MP-100/);
		expect(grants).toHaveLength(1);
	});

	it('retries exchange 5xx and network errors too', async () => {
		const { http, exchanges } = scripted(
			() => mpOk(),
			(_r, i) => {
				if (i === 0) throw new Error('socket hang up');
				return i === 1 ? { statusCode: 502, body: '' } : { statusCode: 200, body: altinnToken() };
			},
		);
		await getAccessToken(http, credentials(), { client: fast });
		expect(exchanges).toHaveLength(3);
	});

	it('after an exchange 401 makes one fresh grant and exchanges once more', async () => {
		const { http, grants, exchanges } = scripted(
			(_r, i) => mpOk(i),
			(_r, i) => (i === 0 ? { statusCode: 401, body: '' } : { statusCode: 200, body: altinnToken() }),
		);
		await getAccessToken(http, credentials(), { client: fast });
		expect(grants).toHaveLength(2);
		expect(exchanges).toHaveLength(2);
		expect(jose.decodeJwt(exchanges[1].headers.Authorization.slice(7)).n).toBe(1);
	});

	it('gives up after the second exchange 401 with the explanation', async () => {
		const { http, grants, exchanges } = scripted(() => mpOk(), () => ({ statusCode: 401, body: '' }));
		await expect(getAccessToken(http, credentials(), { client: fast })).rejects.toThrow(
			"Altinn's token exchange refused the Maskinporten token (HTTP 401)",
		);
		expect(grants).toHaveLength(2);
		expect(exchanges).toHaveLength(2);
	});
});

describe('cache', () => {
	it('reuses the token: two calls, one grant, one exchange', async () => {
		const { http, grants, exchanges } = scripted(() => mpOk(), () => ({ statusCode: 200, body: altinnToken() }));
		const a = await getAccessToken(http, credentials());
		const b = await getAccessToken(http, credentials());
		expect(b.token).toBe(a.token);
		expect([grants.length, exchanges.length]).toEqual([1, 1]);
	});

	it('single-flight: 100 concurrent callers share one grant and one exchange', async () => {
		const { http, grants, exchanges } = scripted(
			async () => {
				await sleep(20);
				return mpOk();
			},
			() => ({ statusCode: 200, body: altinnToken() }),
		);
		const tokens = await Promise.all(Array.from({ length: 100 }, async () => (await getAccessToken(http, credentials())).token));
		expect(new Set(tokens).size).toBe(1);
		expect([grants.length, exchanges.length]).toEqual([1, 1]);
	});

	it('single-flight shares a failure too, and does not cache it', async () => {
		const { http, grants } = scripted((_r, i) =>
			i === 0 ? { statusCode: 400, body: JSON.stringify({ error: 'invalid_scope', error_description: 'MP-200: x' }) } : mpOk(),
		);
		const results = await Promise.allSettled(Array.from({ length: 10 }, async () => await getAccessToken(http, credentials({ exchangeToAltinn: false }))));
		expect(results.every((r) => r.status === 'rejected')).toBe(true);
		expect(grants).toHaveLength(1);
		await getAccessToken(http, credentials({ exchangeToAltinn: false }));
		expect(grants).toHaveLength(2);
	});

	it('keeps separate tokens for settings that shape the token differently', async () => {
		const { http, grants } = scripted((_r, i) => mpOk(i));
		const variants = [
			credentials({ exchangeToAltinn: false }),
			credentials({ exchangeToAltinn: false, environment: 'production' }),
			credentials({ exchangeToAltinn: false, scopes: 'other:scope' }),
			credentials({ exchangeToAltinn: false, resource: 'urn:r' }),
			credentials({ exchangeToAltinn: false, consumerOrg: '910753614' }),
			credentials({ exchangeToAltinn: false, systemUserOrg: '310000123' }),
			credentials({ exchangeToAltinn: false, systemUserOrg: '310000123', systemUserExternalRef: 'x' }),
			credentials({ exchangeToAltinn: false, keyId: 'other-kid' }),
			credentials({ exchangeToAltinn: false, jwk: testKey('second-key').jwkJson }),
			credentials({ exchangeToAltinn: false, clientId: 'other-client' }),
		];
		for (const variant of variants) await getAccessToken(http, variant);
		for (const variant of variants) await getAccessToken(http, variant);
		expect(grants).toHaveLength(variants.length);
		// Scope order does not matter.
		await getAccessToken(http, credentials({ exchangeToAltinn: false, scopes: 'b:x a:y' }));
		await getAccessToken(http, credentials({ exchangeToAltinn: false, scopes: 'a:y b:x' }));
		expect(grants).toHaveLength(variants.length + 1);
	});

	it('staleToken: drops exactly that token and fetches a new one; a newer cached token is returned as is', async () => {
		const { http, grants } = scripted((_r, i) => mpOk(i));
		const creds = credentials({ exchangeToAltinn: false });
		const first = await getAccessToken(http, creds);
		const second = await getAccessToken(http, creds, { staleToken: first.token });
		expect(second.token).not.toBe(first.token);
		expect(grants).toHaveLength(2);
		// A caller that still holds the first token (refreshed concurrently by someone else) gets the second.
		const third = await getAccessToken(http, creds, { staleToken: first.token });
		expect(third.token).toBe(second.token);
		expect(grants).toHaveLength(2);
		// An empty staleToken (n8n's empty expirable field) is a plain lookup.
		expect((await getAccessToken(http, creds, { staleToken: '' })).token).toBe(second.token);
	});

	it('concurrent callers with the same stale token share one refresh', async () => {
		const { http, grants } = scripted(async (_r, i) => {
			await sleep(10);
			return mpOk(i);
		});
		const creds = credentials({ exchangeToAltinn: false });
		const first = await getAccessToken(http, creds);
		const refreshed = await Promise.all(Array.from({ length: 20 }, async () => (await getAccessToken(http, creds, { staleToken: first.token })).token));
		expect(new Set(refreshed).size).toBe(1);
		expect(refreshed[0]).not.toBe(first.token);
		expect(grants).toHaveLength(2);
	});

	it('refreshes once the token is within its safety margin of expiry', async () => {
		const { http, grants } = scripted((_r, i) => mpOk(i, 1));
		const creds = credentials({ exchangeToAltinn: false });
		await getAccessToken(http, creds);
		await getAccessToken(http, creds);
		expect(grants).toHaveLength(1);
		await sleep(800); // 1 s token, 250 ms margin
		await getAccessToken(http, creds);
		expect(grants).toHaveLength(2);
	});
});

describe('TokenCache', () => {
	it('uses a margin of a quarter of the lifetime, at most 60 s', () => {
		expect(safetyMarginMs(120_000)).toBe(30_000);
		expect(safetyMarginMs(1_800_000)).toBe(60_000);
		expect(safetyMarginMs(4_000)).toBe(1_000);
	});

	it('serves until expiry minus the margin on its own clock, and evicts beyond its size', async () => {
		let now = 0;
		const cache = new TokenCache(() => now, 2);
		let fetches = 0;
		const fetch = async () => ({ token: `t${++fetches}`, expiresAt: now + 120_000 });
		expect((await cache.get('a', fetch)).token).toBe('t1');
		now = 89_999;
		expect((await cache.get('a', fetch)).token).toBe('t1');
		now = 90_000;
		expect((await cache.get('a', fetch)).token).toBe('t2');
		await cache.get('b', fetch);
		await cache.get('c', fetch);
		expect(cache.size).toBe(2);
	});
});

describe('httpCallFrom', () => {
	it("asks n8n's httpRequest for the full response as text, never throwing on a status", async () => {
		const seen: unknown[] = [];
		const fake = (async (options: unknown) => {
			seen.push(options);
			return { statusCode: 400, body: { error: 'invalid_grant' } };
		}) as unknown as Parameters<typeof httpCallFrom>[0];
		const response = await httpCallFrom(fake)({ method: 'POST', url: 'https://x/token', headers: { A: 'b' }, body: 'a=1' });
		expect(response).toEqual({ statusCode: 400, body: '{"error":"invalid_grant"}' });
		expect(seen[0]).toMatchObject({
			method: 'POST',
			url: 'https://x/token',
			headers: { A: 'b' },
			body: 'a=1',
			encoding: 'text',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		});
	});

	it('turns Buffer and empty bodies into text', async () => {
		const make = (body: unknown) =>
			httpCallFrom((async () => ({ statusCode: 200, body })) as unknown as Parameters<typeof httpCallFrom>[0]);
		expect((await make(Buffer.from('eyJ.a.b'))({ method: 'GET', url: 'u', headers: {} })).body).toBe('eyJ.a.b');
		expect((await make(undefined)({ method: 'GET', url: 'u', headers: {} })).body).toBe('');
	});
});
