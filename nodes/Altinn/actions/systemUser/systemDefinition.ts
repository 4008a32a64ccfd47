/**
 * The fields of a system in the system register, shared by Register System and Update System:
 * `RegisterSystemRequest` (Altinn/altinn-authentication ad4f6f3, Core/Models/SystemRegisters/RegisterSystemRequest.cs):
 * `{ id, vendor: { authority, ID }, name, description, rights, accessPackages, clientId, isVisible, allowedRedirectUrls }`.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { validated } from '../../shared/descriptions';
import { ORG_NUMBER_SCHEME } from '../../../../credentials/maskinporten/grant';
import { InputError } from '../../shared/validation';
import { accessOf, accessParameters, systemIdOf, systemIdParameter } from './common';

export function systemDefinitionProperties(operation: string): INodeProperties[] {
	const show = { resource: ['systemUser'], operation: [operation] };
	return [
		{ ...systemIdParameter, displayOptions: { show } },
		{
			displayName: 'Name',
			name: 'systemName',
			type: 'string',
			required: true,
			default: '',
			displayOptions: { show },
			placeholder: 'My Accounting System',
			description: 'The name customers see when they approve a request (sent in Norwegian bokmål, nynorsk and English)',
		},
		{
			displayName: 'Description',
			name: 'systemDescription',
			type: 'string',
			required: true,
			default: '',
			displayOptions: { show },
			description: 'What the system does, shown to customers',
		},
		{
			displayName: 'Client IDs',
			name: 'clientIds',
			type: 'string',
			default: '',
			displayOptions: { show },
			placeholder: 'a1b2c3d4-…',
			description:
				"Maskinporten client IDs that may get system-user tokens for this system (comma-separated). Usually the client of this credential.",
		},
		{
			displayName: 'Allowed Redirect URLs',
			name: 'allowedRedirectUrls',
			type: 'string',
			default: '',
			displayOptions: { show },
			placeholder: 'https://example.com/altinn/done',
			description: 'Where a request may send the customer after the decision (comma-separated https URLs)',
		},
		{
			displayName: 'Visible',
			name: 'isVisible',
			type: 'boolean',
			default: true,
			displayOptions: { show },
			description: "Whether customers can find the system in Altinn's list and create a system user themselves",
		},
		...accessParameters(show, { rights: true }),
	];
}

const splitList = (value: unknown) =>
	String(value ?? '')
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter(Boolean);

/** The item's system as the register's request body. */
export function systemDefinitionOf(ctx: IExecuteFunctions, itemIndex: number): { systemId: string; body: IDataObject } {
	const { systemId, vendorOrg } = systemIdOf(ctx, itemIndex);
	const { rights, accessPackages } = accessOf(ctx, itemIndex, { rights: true });
	return validated(ctx, itemIndex, () => {
		const name = String(ctx.getNodeParameter('systemName', itemIndex, '')).trim();
		const description = String(ctx.getNodeParameter('systemDescription', itemIndex, '')).trim();
		if (!name) throw new InputError('Name', 'Name is empty', 'Give the name customers see when they approve a request.');
		if (!description) throw new InputError('Description', 'Description is empty', 'Say in a sentence what the system does.');
		const allowedRedirectUrls = splitList(ctx.getNodeParameter('allowedRedirectUrls', itemIndex, ''));
		const notHttps = allowedRedirectUrls.find((u) => !/^https:\/\/[^/\s]+/i.test(u));
		if (notHttps) {
			throw new InputError('Allowed Redirect URLs', `Allowed Redirect URL "${notHttps}" is not an https URL`, 'Altinn accepts only https URLs, e.g. https://example.com/done.');
		}
		const texts = (text: string) => ({ nb: text, nn: text, en: text });
		return {
			systemId,
			body: {
				id: systemId,
				vendor: { authority: ORG_NUMBER_SCHEME, ID: `0192:${vendorOrg}` },
				name: texts(name),
				description: texts(description),
				rights,
				accessPackages,
				clientId: splitList(ctx.getNodeParameter('clientIds', itemIndex, '')),
				isVisible: ctx.getNodeParameter('isVisible', itemIndex, true) as boolean,
				allowedRedirectUrls,
			},
		};
	});
}
