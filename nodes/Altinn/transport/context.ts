import type { IExecuteFunctions, IHookFunctions, ILoadOptionsFunctions, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';

/**
 * The n8n contexts the transport serves: the action node, the polling trigger, pickers, and the
 * Events trigger's webhook lifecycle (hook) and deliveries (webhook).
 */
export type AltinnContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/** The one credential type every Altinn request is authenticated with. */
export const CREDENTIAL_TYPE = 'maskinportenApi';
