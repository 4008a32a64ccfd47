/**
 * A system user per item: a system vendor serving many customers names the customer's
 * organisation on the node (Request Options > System User Org), without one credential per
 * customer. That org's token comes from the domain's in-process cache (one grant per org,
 * reused until it nears expiry) and is sent as an explicit Bearer header.
 *
 * It does not go through n8n's `preAuthentication`, on purpose: n8n persists the output of
 * preAuthentication to the credential row, so a per-item token would overwrite the
 * credential's own token for every other workflow.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	CredentialSettingsError,
	getAccessToken,
	httpCallFrom,
	MaskinportenError,
	type TokenRequestOverrides,
} from '../../../credentials/maskinporten';
import type { AltinnContext } from './context';
import { CREDENTIAL_TYPE } from './context';

export type SystemUserOverride = TokenRequestOverrides & { systemUserOrg: string };

/** The node-level parameter the per-item system user lives in. */
export const REQUEST_OPTIONS = 'requestOptions';

/** `123456789` or `0192:123456789`. */
const SYSTEM_USER_ORG = /^(0192:)?\d{9}$/;

/**
 * Pure: the Allowed System User Orgs setting as 9-digit numbers (separated by commas, spaces or
 * new lines; `0192:` prefixes allowed); an empty list allows any org. Throws on an entry that is
 * not an organisation number, naming it.
 */
export function allowedSystemUserOrgs(value: unknown): string[] {
	const entries = String(value ?? '').split(/[\s,;]+/).filter(Boolean);
	const bad = entries.find((entry) => !SYSTEM_USER_ORG.test(entry));
	if (bad !== undefined) throw new Error(`Allowed System User Orgs: "${bad}" is not an organisation number`);
	return entries.map((entry) => entry.replace(/^0192:/, ''));
}

/**
 * The per-item system user set on the node, if any (only the action node has the setting).
 * System User Org is usually an expression over item data, so whoever controls that data picks
 * the customer the node acts for; Allowed System User Orgs (no expressions) bounds that choice.
 */
export function systemUserFor(ctx: AltinnContext, itemIndex: number | undefined): SystemUserOverride | undefined {
	if (itemIndex === undefined || !('getInputData' in ctx)) return undefined;
	const exec = ctx as IExecuteFunctions;
	const org = String(exec.getNodeParameter(`${REQUEST_OPTIONS}.systemUserOrg`, itemIndex, '') ?? '').replace(/\s+/g, '');
	if (!org) return undefined;
	if (!SYSTEM_USER_ORG.test(org)) {
		throw new NodeOperationError(exec.getNode(), `System User Org "${org}" is not an organisation number`, {
			itemIndex,
			description: 'Enter the 9 digits of the customer organisation (e.g. 910753614), or leave it empty to use the credential.',
		});
	}
	let allowed: string[];
	try {
		allowed = allowedSystemUserOrgs(exec.getNodeParameter(`${REQUEST_OPTIONS}.allowedSystemUserOrgs`, itemIndex, ''));
	} catch (error) {
		throw new NodeOperationError(exec.getNode(), (error as Error).message, {
			itemIndex,
			description: 'List the 9-digit organisation numbers this node may act for, separated by commas (e.g. 910753614, 310000002).',
		});
	}
	if (allowed.length && !allowed.includes(org.replace(/^0192:/, ''))) {
		throw new NodeOperationError(exec.getNode(), `System User Org "${org}" is not in Allowed System User Orgs`, {
			itemIndex,
			description:
				'This node may act only for the organisations in Request Options > Allowed System User Orgs. Check the item data that set System User Org, or add the organisation to the list if this workflow should act for it.',
		});
	}
	const ref = String(exec.getNodeParameter(`${REQUEST_OPTIONS}.systemUserExternalRef`, itemIndex, '') ?? '').trim();
	return { systemUserOrg: org, ...(ref ? { systemUserExternalRef: ref } : {}) };
}

/**
 * An Altinn token from the domain cache: the system user's (`override`), or the credential's
 * own. `staleToken`: the token that just failed, so a fresh one is made (unless a concurrent
 * caller already refreshed it).
 */
export async function domainToken(
	this: AltinnContext,
	override: SystemUserOverride | undefined,
	staleToken: string | undefined,
	itemIndex?: number,
): Promise<string> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	try {
		const issued = await getAccessToken(httpCallFrom(this.helpers.httpRequest), credentials, {
			overrides: override,
			staleToken,
		});
		return issued.token;
	} catch (error) {
		const who = override ? `system user of organisation ${override.systemUserOrg}` : 'credential';
		if (error instanceof CredentialSettingsError) {
			throw new NodeOperationError(this.getNode(), `Cannot get a token for the ${who}: ${error.message}`, {
				itemIndex,
				description: `Check the credential field "${error.field}" or the node's System User settings.`,
			});
		}
		if (error instanceof MaskinportenError) {
			throw new NodeApiError(this.getNode(), { message: error.message } as never, {
				itemIndex,
				message: `Cannot get a token for the ${who}: ${error.message}`,
				description: override
					? `${error.hint} A system user must be created for this organisation and approved by it before its token can be issued.`
					: error.hint,
			});
		}
		throw new NodeApiError(this.getNode(), error as never, { itemIndex });
	}
}
