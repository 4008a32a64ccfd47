/**
 * Pure parts of the Altinn node: input checks, query building, retry policy, multipart, and the
 * error mapper's messages. No n8n execution, no network.
 */
import { eventQuery } from '../nodes/Altinn/actions/instance/getEvents.operation';
import { pagingPlan, searchQuery, storedDateText } from '../nodes/Altinn/actions/instance/search.operation';
import { batchingFrom } from '../nodes/Altinn/actions/router';
import { dataTypeOptions } from '../nodes/Altinn/shared/applications';
import { dateRange, toUtcIso } from '../nodes/Altinn/shared/dates';
import { InputError, nationalIdentityNumber, orgNumber, parseInstanceRef, partyId } from '../nodes/Altinn/shared/validation';
import { altinnUrlsFrom, buildMultipart, describeAltinnError, formatValidationIssues, parseErrorBody, tokenFreshness, withQuery } from '../nodes/Altinn/transport';
import { backoffMs, classifyNetworkCode, isRetryableStatus, parseRetryAfter, RETRY } from '../nodes/Altinn/transport/request';

const GUID = '1b4e8c3a-0d5f-4b8e-9a67-2f1c3d4e5f60';
const refused = (fn: () => unknown) => {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		return error as InputError;
	}
	throw new Error('not refused');
};

describe('instance references', () => {
	it('accepts partyId/guid, Storage URLs and app URLs', () => {
		expect(parseInstanceRef(`50001234/${GUID.toUpperCase()}`)).toEqual({ partyId: '50001234', instanceGuid: GUID, id: `50001234/${GUID}` });
		expect(parseInstanceRef(`https://platform.tt02.altinn.no/storage/api/v1/instances/50001234/${GUID}/data/x`)).toEqual({
			partyId: '50001234',
			instanceGuid: GUID,
			id: `50001234/${GUID}`,
		});
		expect(parseInstanceRef(`https://ttd.apps.tt02.altinn.no/ttd/my-app/instances/50001234/${GUID}`)).toMatchObject({ org: 'ttd', app: 'my-app', id: `50001234/${GUID}` });
	});

	it.each(['', '50001234', `abc/${GUID}`, '50001234/not-a-guid', `https://example.no/${GUID}`, `50001234/${GUID}/x`])('refuses %p, naming the parameter', (value) => {
		const error = refused(() => parseInstanceRef(value));
		expect(error.parameter).toBe('Instance ID');
		expect(error.message).toMatch(/^Instance ID /);
	});
});

describe('owner identifiers', () => {
	it('checks organisation numbers, national identity numbers and party ids', () => {
		expect(orgNumber(' 910 753 614 ')).toBe('910753614');
		expect(orgNumber('0192:910753614')).toBe('910753614');
		expect(refused(() => orgNumber('91075361')).message).toBe('Organisation Number "91075361" is not an organisation number');
		expect(nationalIdentityNumber('01017012345')).toBe('01017012345');
		const ssn = refused(() => nationalIdentityNumber('0101701234'));
		expect(ssn.message).toBe('National Identity Number is not 11 digits');
		expect(ssn.message).not.toContain('0101701234'); // never echoes most of a person's number
		expect(partyId('50001234')).toBe('50001234');
		expect(refused(() => partyId('-3')).message).toBe('Party ID "-3" is not a party ID');
	});
});

describe('dates', () => {
	it('reads ISO dates with and without zone, in the workflow time zone', () => {
		expect(toUtcIso('2024-05-01T12:00:00Z', 'X')).toBe('2024-05-01T12:00:00.000Z');
		expect(toUtcIso('2024-05-01T12:00:00+02:00', 'X')).toBe('2024-05-01T10:00:00.000Z');
		expect(toUtcIso('2024-05-01T12:00:00', 'X', 'Europe/Oslo')).toBe('2024-05-01T10:00:00.000Z'); // summer time
		expect(toUtcIso('2024-01-15', 'X', 'Europe/Oslo')).toBe('2024-01-14T23:00:00.000Z'); // winter time
		expect(toUtcIso(new Date(Date.UTC(2024, 0, 1)), 'X')).toBe('2024-01-01T00:00:00.000Z');
		expect(toUtcIso({ toISO: () => '2024-01-01T01:00:00.000+01:00' }, 'X')).toBe('2024-01-01T00:00:00.000Z');
		expect(toUtcIso('', 'X')).toBeUndefined();
		expect(refused(() => toUtcIso('next week', 'Created After')).message).toBe('Created After "next week" is not a date');
		expect(refused(() => toUtcIso('2024-13-45', 'Created After')).parameter).toBe('Created After');
	});

	it('builds gt:/lte: ranges and refuses an empty range', () => {
		expect(dateRange({ value: '2024-01-01T00:00:00Z', parameter: 'A' }, { value: '2024-02-01T00:00:00Z', parameter: 'B' })).toEqual([
			'gt:2024-01-01T00:00:00.000Z',
			'lte:2024-02-01T00:00:00.000Z',
		]);
		expect(dateRange({ value: '', parameter: 'A' }, { value: '2024-02-01T00:00:00Z', parameter: 'B' })).toEqual(['lte:2024-02-01T00:00:00.000Z']);
		expect(dateRange({ value: '', parameter: 'A' }, { value: '', parameter: 'B' })).toBeUndefined();
		expect(refused(() => dateRange({ value: '2024-03-01', parameter: 'A' }, { value: '2024-02-01', parameter: 'B' })).parameter).toBe('A');
	});
});

describe('query building', () => {
	it('maps the search filters to Storage parameters', () => {
		const qs = searchQuery('ttd/app', 'ttd', {
			currentTask: ' Task_1 ',
			isComplete: false,
			notConfirmedByOrg: true,
			isHardDeleted: false,
			instanceOwnerPartyId: '50001234',
			createdAfter: '2024-01-01T00:00:00Z',
			dueBefore: '2024-06-01T00:00:00Z',
		});
		expect(qs).toMatchObject({
			appId: 'ttd/app',
			'process.currentTask': 'Task_1',
			'process.isComplete': false,
			excludeConfirmedBy: 'ttd',
			'status.isHardDeleted': false,
			'instanceOwner.partyId': '50001234',
			created: ['gt:2024-01-01T00:00:00.000Z'],
			dueBefore: ['lte:2024-06-01T00:00:00Z'],
		});
		expect(qs.lastChanged).toBeUndefined();
		expect(qs['status.isArchived']).toBeUndefined();
		expect(withQuery('https://x/instances', qs)).toBe(
			'https://x/instances?appId=ttd%2Fapp&process.currentTask=Task_1&process.isComplete=false&excludeConfirmedBy=ttd&status.isHardDeleted=false&instanceOwner.partyId=50001234&created=gt%3A2024-01-01T00%3A00%3A00.000Z&dueBefore=lte%3A2024-06-01T00%3A00%3A00Z',
		);
	});

	it('pages oldest-first for Return All, and asks one page of Limit for Newest First', () => {
		expect(pagingPlan('desc:lastChanged', undefined)).toEqual({ order: 'asc:lastChanged', size: 1000, reverse: true });
		expect(pagingPlan('asc:lastChanged', undefined)).toEqual({ order: 'asc:lastChanged', size: 1000, reverse: false });
		expect(pagingPlan('desc:lastChanged', 5000)).toEqual({ order: 'desc:lastChanged', size: 5000, reverse: false });
		expect(pagingPlan('asc:lastChanged', 5000)).toEqual({ order: 'asc:lastChanged', size: 1000, reverse: false });
	});

	it('writes due and visible dates as Storage stores them (no zero fraction, no trailing zeros)', () => {
		expect(storedDateText('2030-12-31T00:00:00.000Z')).toBe('2030-12-31T00:00:00Z');
		expect(storedDateText('2030-12-31T00:00:00.120Z')).toBe('2030-12-31T00:00:00.12Z');
		expect(storedDateText('2030-12-31T00:00:00.5Z')).toBe('2030-12-31T00:00:00.5Z');
	});

	it('repeats keys for arrays and appends to an existing query', () => {
		expect(withQuery('https://x/a?b=1', { t: ['x', 'y'], e: '', n: undefined })).toBe('https://x/a?b=1&t=x&t=y');
	});

	it('fills the other end of an audit-log time filter (Storage needs both)', () => {
		const now = new Date('2024-06-01T00:00:00Z');
		expect(eventQuery({ from: '2024-01-01T00:00:00Z' }, undefined, now)).toEqual({ eventTypes: undefined, from: '2024-01-01T00:00:00.000Z', to: '2024-06-01T00:01:00.000Z' });
		expect(eventQuery({ to: '2024-01-01T00:00:00Z', eventTypes: ['Created'] }, undefined, now)).toEqual({
			eventTypes: ['Created'],
			from: '1900-01-01T00:00:00.000Z',
			to: '2024-01-01T00:00:00.000Z',
		});
		expect(eventQuery({})).toEqual({ eventTypes: undefined, from: undefined, to: undefined });
	});

	it('reads the batching setting', () => {
		expect(batchingFrom(undefined)).toEqual({ size: 1, pauseMs: 0 });
		expect(batchingFrom({ batch: { batchSize: 5, batchInterval: 250 } })).toEqual({ size: 5, pauseMs: 250 });
		expect(batchingFrom({ batch: { batchSize: 0 } })).toEqual({ size: 1, pauseMs: 0 });
	});
});

describe('retry policy', () => {
	it('retries 429, 502, 503 and 504, and a 500 only for a GET', () => {
		expect([400, 401, 403, 404, 409, 429, 500, 502, 503, 504].filter((s) => isRetryableStatus(s, 'POST'))).toEqual([429, 502, 503, 504]);
		// Storage's transient "Unable to perform query on instances" (InstancesController) is a 500.
		expect([400, 404, 429, 500, 501, 502, 503, 504].filter((s) => isRetryableStatus(s, 'GET'))).toEqual([429, 500, 502, 503, 504]);
	});

	it('backs off exponentially with jitter, and a Retry-After wins', () => {
		expect(backoffMs(1, undefined, () => 0)).toBe(RETRY.baseDelayMs / 2);
		expect(backoffMs(1, undefined, () => 1)).toBe(RETRY.baseDelayMs);
		expect(backoffMs(3, undefined, () => 1)).toBe(RETRY.baseDelayMs * 4);
		expect(backoffMs(30, undefined, () => 1)).toBe(RETRY.maxDelayMs);
		expect(backoffMs(1, 5000, () => 1)).toBe(5000);
	});

	it('reads Retry-After as seconds or an HTTP date', () => {
		expect(parseRetryAfter('2')).toBe(2000);
		expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString(), Date.now())).toBeGreaterThan(1000);
		expect(parseRetryAfter('soon')).toBeUndefined();
		expect(parseRetryAfter(undefined)).toBeUndefined();
	});

	it('tells a request that never left from one that may have been applied', () => {
		expect(classifyNetworkCode('ECONNREFUSED')).toEqual({ code: 'ECONNREFUSED', mayHaveBeenSent: false });
		expect(classifyNetworkCode('ECONNRESET')).toEqual({ code: 'ECONNRESET', mayHaveBeenSent: true });
		expect(classifyNetworkCode(undefined, 'socket hang up')).toEqual({ code: 'ECONNRESET', mayHaveBeenSent: true });
	});
});

describe('error bodies and messages', () => {
	const ctx = { method: 'GET', url: `https://p/storage/api/v1/instances/1/${GUID}?x=1`, target: `instance 1/${GUID}` };

	it('parses empty, JSON-quoted, plain, ProblemDetails and issue-list bodies', () => {
		expect(parseErrorBody('')).toEqual({});
		expect(parseErrorBody('"Unable to find instance"')).toEqual({ text: 'Unable to find instance' });
		expect(parseErrorBody('Bad thing')).toEqual({ text: 'Bad thing' });
		expect(parseErrorBody('{"title":"Conflict","status":409}').problem?.title).toBe('Conflict');
		expect(parseErrorBody('[{"code":"x","description":"y"}]').problem?.validationIssues).toHaveLength(1);
		expect(parseErrorBody('{"foo":1}')).toEqual({ json: { foo: 1 } });
	});

	it('formats validation issues', () => {
		expect(formatValidationIssues([{ severity: 1, code: 'required', field: 'A.B', description: 'Needed' }, { severity: 2, description: 'Hmm' }])).toBe(
			'- Error: Needed (field A.B, code required)\n- Warning: Hmm',
		);
	});

	it('explains an empty 401 and 403', () => {
		const e401 = describeAltinnError({ kind: 'http', statusCode: 401, body: '' }, ctx);
		expect(e401.message).toBe(`Altinn did not accept the access token (401) for instance 1/${GUID}`);
		expect(e401.cause).toBe('credential-invalid');
		const e403 = describeAltinnError({ kind: 'http', statusCode: 403, body: '' }, { ...ctx, action: 'complete' });
		expect(e403.message).toBe(`Altinn refused access to instance 1/${GUID} (403 Forbidden)`);
		expect(e403.description).toContain('the action "complete"');
		expect(e403.description).toContain('altinn:serviceowner/instances.read');
	});

	it('names the instance on 404, and the request when there is no target', () => {
		expect(describeAltinnError({ kind: 'http', statusCode: 404, body: '"Unable to find instance"' }, ctx).message).toBe(`Not found: instance 1/${GUID}`);
		expect(describeAltinnError({ kind: 'http', statusCode: 418, body: '' }, { method: 'GET', url: 'https://p/a?q=secret' }).message).toBe('Altinn answered 418 for GET https://p/a');
	});

	it('warns that an ambiguous failure of a non-repeatable request may have taken effect', () => {
		const ambiguous = 'Search before retrying.';
		const reset = describeAltinnError({ kind: 'network', code: 'ECONNRESET', mayHaveBeenSent: true }, { ...ctx, target: 'a new instance', ambiguous });
		expect(reset.message).toBe('The connection to Altinn was lost during a new instance; the request may still have taken effect');
		expect(reset.description).toContain(ambiguous);
		const refusedConnection = describeAltinnError({ kind: 'network', code: 'ECONNREFUSED', mayHaveBeenSent: false }, { ...ctx, ambiguous });
		expect(refusedConnection.message).toBe(`Could not connect to Altinn at p for instance 1/${GUID}`);
		const e500 = describeAltinnError({ kind: 'http', statusCode: 500, body: '{"title":"Boom"}' }, { ...ctx, ambiguous });
		expect(e500.message).toContain('the request may still have taken effect');
	});

	it('never names an error code NodeApiError would rewrite in the message', () => {
		const net = describeAltinnError({ kind: 'network', code: 'ECONNRESET', mayHaveBeenSent: true }, ctx);
		expect(net.message).not.toMatch(/ECONN|ETIMEDOUT|EPIPE/);
	});
});

describe('multipart', () => {
	it('builds parts with disposition, content type and RFC 5987 file names', () => {
		const { body, contentType } = buildMultipart(
			[
				{ name: 'instance', contentType: 'application/json', data: '{"a":1}' },
				{ name: 'attachment', contentType: 'application/pdf', data: Buffer.from([1, 2, 3]), fileName: 'søknad "1".pdf' },
			],
			'BOUNDARY',
		);
		expect(contentType).toBe('multipart/form-data; boundary=BOUNDARY');
		const text = body.toString('latin1');
		expect(text).toContain('--BOUNDARY\r\nContent-Disposition: form-data; name="instance"\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n');
		expect(text).toContain(`filename="s_knad %221%22.pdf"; filename*=UTF-8''s%C3%B8knad%20%221%22.pdf`);
		expect(body.subarray(body.indexOf(Buffer.from([1, 2, 3])), body.indexOf(Buffer.from([1, 2, 3])) + 3)).toEqual(Buffer.from([1, 2, 3]));
		expect(text.endsWith('--BOUNDARY--\r\n')).toBe(true);
	});
});

describe('environment, tokens, data types', () => {
	it('resolves the Altinn URLs of the credential', () => {
		const urls = altinnUrlsFrom({ environment: 'test' });
		expect(urls.storage).toBe('https://platform.tt02.altinn.no/storage/api/v1');
		expect(urls.events).toBe('https://platform.tt02.altinn.no/events/api/v1');
		expect(urls.app('ttd', 'my-app')).toBe('https://ttd.apps.tt02.altinn.no/ttd/my-app');
		expect(altinnUrlsFrom({ environment: 'production' }).app('skd', 'x')).toBe('https://skd.apps.altinn.no/skd/x');
	});

	it('tells a fresh token from one about to expire', () => {
		const jwt = (exp: number) => `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;
		expect(tokenFreshness(jwt(1000), 900)).toBe('fresh');
		expect(tokenFreshness(jwt(1000), 950)).toBe('expiring');
		expect(tokenFreshness(jwt(1000), 1000)).toBe('expired');
		expect(tokenFreshness('', 0)).toBe('missing');
		expect(tokenFreshness(undefined, 0)).toBe('missing');
	});

	it('describes data types for the picker', () => {
		const options = dataTypeOptions({
			id: 'ttd/a',
			org: 'ttd',
			dataTypes: [
				{ id: 'model', appLogic: { classRef: 'M' }, taskId: 'Task_1' },
				{ id: 'ref-data-as-pdf' },
				{ id: 'attachment', allowedContentTypes: ['application/pdf'], maxSize: 5 },
			],
		});
		expect(options).toEqual([
			{ name: 'attachment', value: 'attachment', description: 'attachment · application/pdf · max 5 MB' },
			{ name: 'model', value: 'model', description: 'form data · task Task_1' },
		]);
	});
});
