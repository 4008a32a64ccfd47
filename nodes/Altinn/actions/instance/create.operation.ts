import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { getApplicationMetadata, isFormData } from '../../shared/applications';
import { appParameters, appTarget, validated } from '../../shared/descriptions';
import { toUtcIso } from '../../shared/dates';
import { nationalIdentityNumber, orgNumber, partyId } from '../../shared/validation';
import {
	altinnRequest,
	altinnRequestFull,
	altinnRequestWithToken,
	ensureFreshToken,
	resolveAltinnUrls,
	streamMultipart,
	type AltinnRequestOptions,
	type FileMultipartPart,
} from '../../transport';
import { describeBinaryField, exceedsMaxSize } from '../../transport/binary';
import { keyValues } from './common';
import { keyValueParameter } from './keyValues';

const properties: INodeProperties[] = [
	...appParameters,
	{
		displayName: 'Instance Owner',
		name: 'ownerType',
		type: 'options',
		default: 'organisationNumber',
		options: [
			{ name: 'Organisation Number', value: 'organisationNumber' },
			{ name: 'National Identity Number', value: 'personNumber' },
			{ name: 'Party ID', value: 'partyId' },
		],
		description: 'How the instance owner is identified',
	},
	{
		displayName: 'Organisation Number',
		name: 'organisationNumber',
		type: 'string',
		required: true,
		default: '',
		placeholder: '910753614',
		description: 'The 9-digit organisation number of the organisation the instance is created for',
		displayOptions: { show: { ownerType: ['organisationNumber'] } },
	},
	{
		displayName: 'National Identity Number',
		name: 'personNumber',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'Fødselsnummer or D-number, 11 digits',
		displayOptions: { show: { ownerType: ['personNumber'] } },
	},
	{
		displayName: 'Party ID',
		name: 'partyId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '50001234',
		displayOptions: { show: { ownerType: ['partyId'] } },
	},
	{
		displayName: 'Options',
		name: 'createOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Data Parts',
				name: 'dataParts',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Data Part',
				default: { parts: [] },
				description: 'Files from binary fields to add as data elements when the instance is created (sent as multipart)',
				options: [
					{
						displayName: 'Part',
						name: 'parts',
						values: [
							{
								displayName: 'Data Type Name or ID',
								name: 'dataType',
								type: 'options',
								typeOptions: { loadOptionsMethod: 'getDataTypes', loadOptionsDependsOn: ['org', 'app.value'] },
								default: '',
								description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
							},
							{
								displayName: 'Input Binary Field',
								name: 'binaryPropertyName',
								type: 'string',
								default: 'data',
								hint: 'The name of the input binary field containing the file',
							},
						],
					},
				],
			},
			{ displayName: 'Due Before', name: 'dueBefore', type: 'dateTime', default: '', description: 'Deadline shown to the instance owner' },
			keyValueParameter('prefill', 'Prefill', 'Value', 'Values for the data model of the first task, keyed by their path in the model (e.g. Skjema.Kontakt.Navn)'),
			{ displayName: 'Visible After', name: 'visibleAfter', type: 'dateTime', default: '', description: 'When the instance becomes visible to the owner' },
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['create'] } }, properties);

interface Owner {
	template: IDataObject;
	/** For messages; a national identity number is shown masked. */
	label: string;
}

function ownerOf(this: IExecuteFunctions, itemIndex: number): Owner {
	const type = this.getNodeParameter('ownerType', itemIndex) as string;
	const value = this.getNodeParameter(type, itemIndex, '');
	return validated(this, itemIndex, () => {
		if (type === 'organisationNumber') {
			const n = orgNumber(value);
			return { template: { organisationNumber: n }, label: `organisation ${n}` };
		}
		if (type === 'personNumber') {
			const n = nationalIdentityNumber(value);
			return { template: { personNumber: n }, label: `the person with national identity number ending ${n.slice(-4)}` };
		}
		const p = partyId(value);
		return { template: { partyId: p }, label: `party ${p}` };
	});
}

/**
 * Instantiates through the app API: `POST /instances/create` (JSON, with prefill) or, with data
 * parts, multipart `POST /instances`, whose files stream from n8n's binary store into the
 * request (none is held in memory). Sent once, never retried: a retry after a lost response
 * could create a second instance.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = appTarget.call(this, itemIndex);
	const owner = ownerOf.call(this, itemIndex);
	const options = this.getNodeParameter('createOptions', itemIndex, {}) as IDataObject;
	const timeZone = this.getTimezone();
	const dueBefore = validated(this, itemIndex, () => toUtcIso(options.dueBefore, 'Due Before', timeZone));
	const visibleAfter = validated(this, itemIndex, () => toUtcIso(options.visibleAfter, 'Visible After', timeZone));
	const prefill = keyValues(options.prefill);
	const parts = ((options.dataParts as IDataObject | undefined)?.parts as Array<{ dataType?: string; binaryPropertyName?: string }> | undefined) ?? [];
	if (parts.length && Object.keys(prefill).length) {
		throw new NodeOperationError(this.getNode(), 'Prefill and Data Parts cannot be used together', {
			itemIndex,
			description: 'Altinn takes prefill only with /instances/create and data parts only with a multipart instantiation. Use one of them, and add the rest afterwards (Data Element > Upload).',
		});
	}
	const template: IDataObject = { instanceOwner: owner.template };
	if (dueBefore) template.dueBefore = dueBefore;
	if (visibleAfter) template.visibleAfter = visibleAfter;

	const urls = await resolveAltinnUrls.call(this);
	const startedAt = new Date(Date.now() - 1000).toISOString();
	const ambiguous = `The request may have created an instance. Search for instances of ${target.appId} for ${owner.label} created after ${startedAt} (Instance > Search with Created After) before you run it again.`;
	const common = { method: 'POST' as const, retry: 'never' as const, action: 'instantiate', target: `a new instance of ${target.appId} for ${owner.label}`, ambiguous };
	if (!parts.length) {
		const body = { ...template, ...(Object.keys(prefill).length ? { prefill } : {}) };
		const instance = await altinnRequest.call(this, { ...common, url: `${urls.app(target.org, target.app)}/instances/create`, body }, itemIndex);
		return [{ json: instance as IDataObject, pairedItem: { item: itemIndex } }];
	}

	const files = await dataParts.call(this, itemIndex, target.org, target.app, parts);
	const multipart = await streamMultipart([{ name: 'instance', contentType: 'application/json', data: JSON.stringify(template) }], files);
	// A streamed body cannot be resent after a 401: make sure the token is good first. Any valid
	// Altinn token may call the refresh endpoint, so it is the cheapest authenticated probe.
	const token = multipart.streamed ? await ensureFreshToken.call(this, `${urls.platform}/authentication/api/v1/refresh`, itemIndex) : undefined;
	const request: AltinnRequestOptions = {
		...common,
		url: `${urls.app(target.org, target.app)}/instances`,
		body: multipart.body,
		headers: { 'Content-Type': multipart.contentType, 'Content-Length': String(multipart.contentLength) },
	};
	const response = token ? await altinnRequestWithToken.call(this, request, token, itemIndex) : await altinnRequestFull.call(this, request, itemIndex);
	return [{ json: response.body as IDataObject, pairedItem: { item: itemIndex } }];
}

/** The data parts: each binary field described (not read), checked against the app's data types. */
async function dataParts(
	this: IExecuteFunctions,
	itemIndex: number,
	org: string,
	app: string,
	parts: Array<{ dataType?: string; binaryPropertyName?: string }>,
): Promise<FileMultipartPart[]> {
	const metadata = await getApplicationMetadata.call(this, org, app, itemIndex);
	const known = new Map((metadata.dataTypes ?? []).map((d) => [d.id, d]));
	const out: FileMultipartPart[] = [];
	for (const part of parts) {
		const dataTypeId = String(part.dataType ?? '').trim();
		const dataType = known.get(dataTypeId);
		if (!dataType) {
			throw new NodeOperationError(this.getNode(), `Data Type "${dataTypeId}" is not a data type of ${org}/${app}`, {
				itemIndex,
				description: `Known data types: ${[...known.keys()].join(', ') || 'none'}.`,
			});
		}
		const field = String(part.binaryPropertyName ?? 'data').trim() || 'data';
		const file = await describeBinaryField.call(this, itemIndex, field);
		if (exceedsMaxSize(file.size, dataType.maxSize)) {
			throw new NodeOperationError(this.getNode(), `The file in "${field}" is larger than data type "${dataTypeId}" allows (${dataType.maxSize} MB)`, { itemIndex });
		}
		out.push({ name: dataTypeId, file, fileName: isFormData(dataType) ? undefined : file.fileName });
	}
	return out;
}
