import type { IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';

/** The n8n contexts the transport serves: the action node, the trigger, and pickers. */
export type AltinnContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

/** The one credential type every Altinn request is authenticated with. */
export const CREDENTIAL_TYPE = 'maskinportenApi';
