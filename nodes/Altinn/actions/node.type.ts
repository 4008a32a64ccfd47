import type { AllEntities } from 'n8n-workflow';

import type { resources } from './resources';

type OperationsOf<R extends keyof typeof resources> = keyof (typeof resources)[R]['operations'] & string;

/** `{ resource, operation }` pairs the node knows, derived from the resource map. */
export type AltinnMap = { [R in keyof typeof resources]: OperationsOf<R> };
export type AltinnType = AllEntities<AltinnMap>;
