/**
 * What Altinn Authentication's system register and system user APIs say when they refuse, in words a
 * vendor can act on. Codes from Altinn/altinn-authentication ad4f6f3: `src/Core/Problems/Problem.cs`
 * (AUTH-000NN, ProblemDetails whose title is the message) and `src/Core/Errors/ValidationErrors.cs`
 * (STD-00000 with `errors: [{ code: AUTH.VLD-000NN, detail, paths }]`); scope policies from
 * `src/Authentication/AuthenticationHost.cs`. Pure.
 */
import type { ProblemDetails } from './errors';

const HINTS: Record<string, string> = {
	'AUTH-00000': 'Check Customer Org Number: Altinn does not know that organisation (in TT02, use a test organisation from Tenor).',
	'AUTH-00001': "Check Rights: each right must be one the system registered. Add it to the system first (Update System), then ask again.",
	'AUTH-00004':
		'The customer already has a system user for this system and External Ref, so no request is needed: use it (System User Org), look it up with Find System User, or use another External Ref.',
	'AUTH-00010': 'Check the request ID, system ID, customer and External Ref. A deleted request, or one made by another vendor, is not found.',
	'AUTH-00011':
		'Check System ID: the system is not in the system register, or belongs to another vendor. Register it first (System User > Register System); its ID is your organisation number, an underscore and a name.',
	'AUTH-00021': "Check Redirect URL: it must be one of the system's Allowed Redirect URLs (compared without query). Add it with Update System, or leave Redirect URL empty.",
	'AUTH-00026': 'The system has no Allowed Redirect URLs. Add one with Update System, or leave Redirect URL empty.',
	'AUTH-00030': 'Check the request ID: no agent request has it. Was it made with Create Request (Request Kind "Standard")?',
	'AUTH-00058': 'An agent request needs at least one access package.',
	'AUTH-00059': 'A request needs at least one right or one access package.',
	'AUTH-00063': "Check Access Packages: each must be one the system registered. Add it to the system first (Update System).",
	'AUTH-00064': 'Access packages meant for client relations need Create Agent Request, not Create Request.',
	'AUTH-00065': 'Create Agent Request takes only access packages meant for client relations (e.g. regnskapsforer-med-signeringsrettighet).',
	'AUTH.VLD-00000': 'The vendor must be written as 0192:<9-digit organisation number>.',
	'AUTH.VLD-00001': 'Check System ID: it must start with your organisation number and an underscore.',
	'AUTH.VLD-00002': 'The system ID is taken. Use Update System to change it, or choose another name.',
	'AUTH.VLD-00003': "Check Rights: a resource ID is not in Altinn's resource register (an app is app_{org}_{app}).",
	'AUTH.VLD-00004': 'Check Client IDs: a client ID already belongs to another system.',
	'AUTH.VLD-00005': 'Check Allowed Redirect URLs: each must be an https URL.',
	'AUTH.VLD-00006': 'Check Rights: the same right is listed twice.',
	'AUTH.VLD-00007': 'Check Access Packages: the same package is listed twice.',
	'AUTH.VLD-00008': "Check Access Packages: a URN is not one of Altinn's access packages, or cannot be delegated.",
	'AUTH.VLD-00009': 'Check Rights: each resource must be given as urn:altinn:resource.',
	'AUTH.VLD-00011': 'Check Client IDs: a client ID is listed twice.',
	'AUTH.VLD-00013': 'Check System ID: it must not contain spaces.',
};

/** The scope each Authentication API needs (AuthenticationHost.cs policies). */
function scopeFor(method: string, url: string): string | undefined {
	if (/\/authentication\/api\/v1\/systemregister\//.test(url) || /\/systemuser\/vendor\/bysystem\//.test(url)) {
		return 'altinn:authentication/systemregister.write';
	}
	if (/\/systemuser\/request\//.test(url)) {
		return method === 'GET' ? 'altinn:authentication/systemuser.request.read' : 'altinn:authentication/systemuser.request.write';
	}
	if (/\/systemuser\/vendor\/byquery/.test(url)) return 'altinn:authentication/systemuser.request.write';
	return undefined;
}

export interface AuthenticationRefusal {
	message: string;
	description: string;
}

/**
 * The refusal of a system register or system user call, or undefined when the failure is not one
 * (then the general mapper answers). `about` names what the request was about.
 */
export function describeAuthenticationRefusal(
	status: number,
	problem: ProblemDetails | undefined,
	request: { method: string; url: string },
	about: string,
): AuthenticationRefusal | undefined {
	const scope = scopeFor(request.method, request.url);
	if (!scope) return undefined;
	if (status === 403 && !problem) {
		return {
			message: `Altinn refused access to ${about} (403 Forbidden)`,
			description: `The token lacks the scope ${scope}, or the system belongs to another vendor. Add the scope to the credential's Scopes and ask Digdir to grant it to the Maskinporten client.`,
		};
	}
	const code = typeof problem?.code === 'string' ? problem.code : undefined;
	if (!code) return undefined;
	const errors = Array.isArray(problem?.errors) ? (problem.errors as Array<{ code?: string; detail?: string; paths?: string[] }>) : [];
	if (errors.length) {
		const lines = errors.map((e) => `- ${e.detail ?? 'invalid'} (${e.code ?? '?'}${e.paths?.length ? `, ${e.paths.join(', ')}` : ''})${e.code && HINTS[e.code] ? ` ${HINTS[e.code]}` : ''}`);
		return {
			message: `Altinn refused ${about}: ${errors.map((e) => e.detail).filter(Boolean).join('; ')}`,
			description: `Validation errors:\n${lines.join('\n')}`,
		};
	}
	const title = problem?.title ?? problem?.detail ?? `status ${status}`;
	return {
		message: `Altinn refused ${about}: ${title} (${code})`,
		description: HINTS[code] ?? 'Check the parameters of this operation.',
	};
}
