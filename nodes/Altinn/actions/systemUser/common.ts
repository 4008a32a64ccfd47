/**
 * What the System User operations share: the system ID, customer and external reference
 * parameters, rights and access packages (a list a person fills in, or JSON for expressions),
 * and the Authentication API base. Shapes from Altinn/altinn-authentication (commit ad4f6f3):
 * `Core/Models/Right.cs` (`{ action?, resource: [{ id, value }] }`), `Core/Models/AccessPackages/AccessPackage.cs`
 * (`{ urn }`), `Core/Models/SystemRegisters/RegisterSystemRequest.cs`.
 */
import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { resolveAltinnUrls } from '../../transport';
import { validated } from '../../shared/descriptions';
import { InputError, orgNumber } from '../../shared/validation';

/** `{platform}/authentication/api/v1` */
export async function authenticationApi(this: IExecuteFunctions): Promise<string> {
	return `${(await resolveAltinnUrls.call(this)).platform}/authentication/api/v1`;
}

export const systemIdParameter: INodeProperties = {
	displayName: 'System ID',
	name: 'systemId',
	type: 'string',
	required: true,
	default: '',
	placeholder: '991825827_my_accounting_system',
	description: "The system's ID in Altinn's system register: the vendor's organisation number, an underscore, and a name without spaces",
};

export const customerOrgParameter: INodeProperties = {
	displayName: 'Customer Org Number',
	name: 'customerOrg',
	type: 'string',
	required: true,
	default: '',
	placeholder: '310000002',
	description: 'The organisation number (9 digits) of the customer who is asked for a system user',
};

export const externalRefParameter: INodeProperties = {
	displayName: 'External Ref',
	name: 'externalRef',
	type: 'string',
	default: '',
	description:
		"Your own reference for this customer's system user, when a customer may have more than one for the same system. Empty means the customer's org number (Altinn's default).",
};

/** A System ID as the register wants it: `<9-digit vendor org>_<name>` without spaces. Returns the vendor org too. */
export function parseSystemId(value: unknown): { systemId: string; vendorOrg: string } {
	const text = String(value ?? '').trim();
	const match = /^(\d{9})_(\S+)$/.exec(text);
	if (!match) {
		throw new InputError(
			'System ID',
			`System ID "${text}" is not a system register ID`,
			'A system ID is your organisation number, an underscore and a name without spaces, e.g. 991825827_my_accounting_system.',
		);
	}
	return { systemId: text, vendorOrg: match[1] };
}

export interface Right {
	action?: string;
	resource: Array<{ id: string; value: string }>;
}
export interface AccessPackage {
	urn: string;
}

/** Rights and access packages, entered as a list or as JSON. `agent` requests take access packages only. */
export function accessParameters(show: NonNullable<IDisplayOptions['show']>, options: { rights: boolean }): INodeProperties[] {
	const list = { ...show, accessInput: ['list'] };
	const json = { ...show, accessInput: ['json'] };
	const properties: INodeProperties[] = [
		{
			displayName: 'Rights and Packages Input',
			name: 'accessInput',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show },
			options: [
				{ name: 'List', value: 'list', description: 'Fill in resource IDs and access package URNs one by one' },
				{ name: 'JSON', value: 'json', description: 'Give the arrays as JSON, e.g. from an expression' },
			],
			default: 'list',
		},
	];
	if (options.rights) {
		properties.push(
			{
				displayName: 'Rights',
				name: 'rightsUi',
				type: 'fixedCollection',
				placeholder: 'Add Right',
				typeOptions: { multipleValues: true },
				displayOptions: { show: list },
				default: {},
				description: 'Single rights: one per resource in the resource register (an app is app_{org}_{app})',
				options: [
					{
						displayName: 'Right',
						name: 'right',
						values: [
							{
								displayName: 'Resource ID',
								name: 'resourceId',
								type: 'string',
								default: '',
								placeholder: 'app_ttd_demo-app',
								description: 'The resource (urn:altinn:resource) the right is for',
							},
						],
					},
				],
			},
			{
				displayName: 'Rights (JSON)',
				name: 'rightsJson',
				type: 'json',
				displayOptions: { show: json },
				default: '[]',
				description: "An array of rights in Altinn's format (resource attribute pairs), or of resource IDs as strings, e.g. [\"app_ttd_demo-app\"]",
			},
		);
	}
	properties.push(
		{
			displayName: 'Access Packages',
			name: 'accessPackagesUi',
			type: 'fixedCollection',
			placeholder: 'Add Access Package',
			typeOptions: { multipleValues: true },
			displayOptions: { show: list },
			default: {},
			options: [
				{
					displayName: 'Access Package',
					name: 'accessPackage',
					values: [
						{
							displayName: 'URN',
							name: 'urn',
							type: 'string',
							default: '',
							placeholder: 'urn:altinn:accesspackage:skattegrunnlag',
						},
					],
				},
			],
		},
		{
			displayName: 'Access Packages (JSON)',
			name: 'accessPackagesJson',
			type: 'json',
			displayOptions: { show: json },
			default: '[]',
			description: 'An array of access packages, e.g. [{"urn":"urn:altinn:accesspackage:skattegrunnlag"}] or ["urn:altinn:accesspackage:skattegrunnlag"]',
		},
	);
	return properties;
}

const NOT_JSON = Symbol('not JSON');
function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return NOT_JSON;
	}
}

function jsonArray(value: unknown, parameter: string): unknown[] {
	let parsed = value;
	if (typeof value === 'string') {
		const text = value.trim();
		if (!text) return [];
		parsed = parseJson(text);
		if (parsed === NOT_JSON) throw new InputError(parameter, `${parameter} is not valid JSON`, 'Give a JSON array, e.g. [] when there is none.');
	}
	if (parsed === undefined || parsed === null) return [];
	if (!Array.isArray(parsed)) throw new InputError(parameter, `${parameter} is not a JSON array`, 'Give a JSON array, e.g. [] when there is none.');
	return parsed;
}

const rightOf = (resourceId: string): Right => ({ resource: [{ id: 'urn:altinn:resource', value: resourceId }] });

/** Pure: rights from the JSON parameter. A string entry is taken as a resource ID. */
export function rightsFromJson(value: unknown): Right[] {
	return jsonArray(value, 'Rights (JSON)').map((entry, i) => {
		if (typeof entry === 'string' && entry.trim()) return rightOf(entry.trim());
		const resource = (entry as { resource?: unknown } | null)?.resource;
		const pairsOk =
			Array.isArray(resource) &&
			resource.length > 0 &&
			resource.every((p) => typeof (p as IDataObject)?.id === 'string' && typeof (p as IDataObject)?.value === 'string');
		if (!pairsOk) {
			throw new InputError(
				'Rights (JSON)',
				`Rights (JSON) entry ${i + 1} is not a right`,
				'Each right is {"resource":[{"id":"urn:altinn:resource","value":"<resource id>"}]} or just the resource ID as a string.',
			);
		}
		return entry as Right;
	});
}

/** Pure: access packages from the JSON parameter; a string entry is the URN. */
export function accessPackagesFromJson(value: unknown): AccessPackage[] {
	return jsonArray(value, 'Access Packages (JSON)').map((entry, i) => {
		const urn = typeof entry === 'string' ? entry : (entry as { urn?: unknown } | null)?.urn;
		if (typeof urn !== 'string' || !urn.trim().startsWith('urn:altinn:accesspackage:')) {
			throw new InputError(
				'Access Packages (JSON)',
				`Access Packages (JSON) entry ${i + 1} is not an access package`,
				'Each entry is {"urn":"urn:altinn:accesspackage:<name>"} or the URN as a string.',
			);
		}
		return { urn: urn.trim() };
	});
}

/** The item's rights and access packages, from the list or the JSON parameters. */
export function accessOf(ctx: IExecuteFunctions, itemIndex: number, options: { rights: boolean }): { rights: Right[]; accessPackages: AccessPackage[] } {
	const mode = ctx.getNodeParameter('accessInput', itemIndex, 'list') as string;
	return validated(ctx, itemIndex, () => {
		if (mode === 'json') {
			return {
				rights: options.rights ? rightsFromJson(ctx.getNodeParameter('rightsJson', itemIndex, '[]')) : [],
				accessPackages: accessPackagesFromJson(ctx.getNodeParameter('accessPackagesJson', itemIndex, '[]')),
			};
		}
		const rights = options.rights
			? ((ctx.getNodeParameter('rightsUi.right', itemIndex, []) as Array<{ resourceId?: string }>) ?? [])
					.map((r) => String(r.resourceId ?? '').trim())
					.filter(Boolean)
					.map(rightOf)
			: [];
		const urns = ((ctx.getNodeParameter('accessPackagesUi.accessPackage', itemIndex, []) as Array<{ urn?: string }>) ?? [])
			.map((p) => String(p.urn ?? '').trim())
			.filter(Boolean);
		return { rights, accessPackages: accessPackagesFromJson(urns) };
	});
}

/** The item's System ID (validated). */
export function systemIdOf(ctx: IExecuteFunctions, itemIndex: number): { systemId: string; vendorOrg: string } {
	return validated(ctx, itemIndex, () => parseSystemId(ctx.getNodeParameter('systemId', itemIndex, '')));
}

/** The item's customer org number and external reference (empty = the org number, as Altinn defaults it). */
export function customerOf(ctx: IExecuteFunctions, itemIndex: number): { customerOrg: string; externalRef: string } {
	return validated(ctx, itemIndex, () => {
		const customerOrg = orgNumber(ctx.getNodeParameter('customerOrg', itemIndex, ''), 'Customer Org Number');
		const externalRef = String(ctx.getNodeParameter('externalRef', itemIndex, '') ?? '').trim();
		return { customerOrg, externalRef: externalRef || customerOrg };
	});
}
