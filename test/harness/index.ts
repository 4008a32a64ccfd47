/**
 * Test harness: runs our credential and nodes through real n8n-core code paths.
 *
 *   runWorkflow  WorkflowExecute.processRunExecutionData over real Workflow/NodeExecutionContexts
 *   runPoll      a real PollContext, run the way n8n's PollTriggerExecutor runs it; Poller for series
 *   TestCredentialsHelper  the n8n CLI CredentialsHelper rules (preAuthentication, expirable, persist)
 *   TestNodeTypes          INodeTypes over node instances
 *   useBinaryDataMode      n8n's BinaryDataService, inline or real filesystem storage
 *   loadPackage            n8n's PackageDirectoryLoader over the built package
 */
import { prepareN8nRuntime } from './runtime';

prepareN8nRuntime();

export { TestNodeTypes, PACKAGE_NAME } from './nodeTypes';
export { TestCredentialsHelper } from './credentialsHelper';
export type { StoredCredential, CredentialsHelperCounters } from './credentialsHelper';
export type { NodeSpec } from './nodes';
export { runWorkflow, viewError } from './runWorkflow';
export type { RunWorkflowOptions, WorkflowRunResult, NodeErrorView } from './runWorkflow';
export { runPoll, Poller } from './runPoll';
export type { PollerOptions, PollResult } from './runPoll';
export { useBinaryDataMode, currentBinaryDataMode } from './binaryData';
export type { BinaryDataMode, BinaryDataSetup } from './binaryData';
export { loadPackage, packageBuildStatus, describeIfBuilt, PACKAGE_ROOT } from './loadPackage';
export type { LoadedPackage, PackageBuildStatus } from './loadPackage';
export { allowLoopbackRequests } from './network';
export { prepareN8nRuntime, n8nLogs } from './runtime';
export type { N8nLogEntry } from './runtime';
export { buildAdditionalData } from './additionalData';
export { WebhookTrigger } from './runWebhook';
export type { WebhookTriggerOptions, WebhookExecution, WebhookReply } from './runWebhook';
