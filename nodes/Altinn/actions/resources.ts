/**
 * The node's resources. The node description (versionDescription.ts) and the router both
 * read this map, so adding a resource is one import and one entry here:
 *
 *   import * as dataElement from './dataElement/DataElement.resource';
 *   export const resources = { ..., dataElement };
 *
 * A resource module exports:
 *   - `option`: its entry in the Resource selector, `{ name: 'Data Element', value: 'dataElement' }`
 *     (value = the key used here);
 *   - `description`: its Operation selector plus every operation's parameters
 *     (each wrapped with `updateDisplayOptions({ show: { resource, operation } }, …)`);
 *   - `operations`: `{ [operation value]: { execute, readOnly? } }`, where
 *     `execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>`
 *     handles ONE input item. The router adds `pairedItem`, catches errors for
 *     continueOnFail and runs items in batches; operations call the transport
 *     (`../../transport`) for every request and throw NodeOperationError for bad input.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as application from './application/Application.resource';
import * as dataElement from './dataElement/DataElement.resource';
import * as event from './event/Event.resource';
import * as instance from './instance/Instance.resource';
import * as process from './process/Process.resource';
import * as systemUser from './systemUser/SystemUser.resource';

export interface AltinnOperation {
	/** The operation only reads, so the router may run several items at a time. */
	readOnly?: boolean;
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
}

export interface AltinnResource {
	option: INodePropertyOptions;
	description: INodeProperties[];
	operations: Record<string, AltinnOperation>;
}

export const resources = { application, instance, dataElement, process, event, systemUser } satisfies Record<string, AltinnResource>;
