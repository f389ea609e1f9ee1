/**
 * The start options beyond ID, queue placement and timeout: the
 * authentication recorded on the workflow, its attributes, the queue the
 * context assigns (DBOS.withWorkflowQueue / runWithContext), and the
 * duplication policy. All validated before anything is written.
 */
import { DBOSConfigurationError, DBOSInvalidWorkflowTransitionError, DBOSQueueDuplicatedError } from '../errors/errors.ts';
import type { HTTPRequest, StartWorkflowParams } from '../types/workflow-types.ts';
import type { InsertWorkflowResult, NewWorkflowRecord } from '../system-database/records.ts';
import type { Engine } from './engine.ts';
import { attributesText } from './workflow-attributes.ts';
import { requestOf, type ExecutionContext } from './workflow-context.ts';

/** Who a workflow runs as: recorded on its row, restored when it is recovered or dequeued, inherited by its children. */
export interface WorkflowAuth {
  authenticatedUser?: string;
  authenticatedRoles?: readonly string[];
  assumedRole?: string;
  request?: HTTPRequest;
}

export interface StartOptions {
  /** The start parameters, with the context's queue applied. */
  params: StartWorkflowParams | undefined;
  auth: WorkflowAuth;
  /** JSON object text, or null. */
  attributes: string | null;
  /** duplicationPolicy 'return-existing': a held deduplication ID yields its holder's handle. */
  returnExisting: boolean;
}

export function resolveStartOptions(params: StartWorkflowParams | undefined, context: ExecutionContext): StartOptions {
  const queueName = params?.queueName ?? context.workflowQueueName;
  const effective = queueName === undefined || params?.queueName !== undefined ? params : { ...params, queueName };
  return {
    params: effective,
    auth: resolveAuth(params, context),
    // null means none, as in DBOS.
    attributes: params?.workflowAttributes == null ? null : attributesText('workflowAttributes', params.workflowAttributes),
    returnExisting: resolveDuplicationPolicy(effective),
  };
}

function resolveAuth(params: StartWorkflowParams | undefined, context: ExecutionContext): WorkflowAuth {
  const user = params?.authenticatedUser;
  if (user !== undefined && typeof user !== 'string') {
    throw new DBOSConfigurationError(`authenticatedUser must be a string, got ${JSON.stringify(user)}.`);
  }
  const roles = params?.authenticatedRoles;
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    throw new DBOSConfigurationError(`authenticatedRoles must be an array of strings, got ${JSON.stringify(roles)}.`);
  }
  return {
    authenticatedUser: user ?? context.authenticatedUser,
    authenticatedRoles: roles ?? context.authenticatedRoles,
    assumedRole: context.assumedRole,
    request: requestOf(context),
  };
}

function resolveDuplicationPolicy(params: StartWorkflowParams | undefined): boolean {
  const policy = params?.duplicationPolicy;
  if (policy === undefined || policy === 'reject') return false;
  if (policy !== 'return-existing') {
    throw new DBOSConfigurationError(`duplicationPolicy must be 'reject' or 'return-existing', got ${JSON.stringify(policy)}.`);
  }
  // DBOS's error class and wording (code written for DBOS may match on them), with the reason after.
  const why = ': it returns the workflow holding that deduplication ID on that queue.';
  if (params?.queueName === undefined) {
    throw new DBOSInvalidWorkflowTransitionError("`duplicationPolicy: 'return-existing'` requires a `queueName`" + why);
  }
  if (!params.enqueueOptions?.deduplicationID) {
    throw new DBOSInvalidWorkflowTransitionError("`duplicationPolicy: 'return-existing'` requires `enqueueOptions.deduplicationID`" + why);
  }
  return true;
}

/** How often to retry when the deduplication ID's holder finishes between our insert and our lookup. */
const holderLookups = 10;

export type StartInsertResult = InsertWorkflowResult | { inserted: false; holderID: string };

/**
 * Insert the status row; with 'return-existing', a deduplication ID held on
 * the queue gives the holder's ID instead of DBOSQueueDuplicatedError.
 */
export async function insertRespectingDuplicationPolicy(
  engine: Engine,
  record: NewWorkflowRecord,
  returnExisting: boolean,
): Promise<StartInsertResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await engine.systemDatabase.insertWorkflowOrGetExisting(record);
    } catch (error) {
      if (!returnExisting || !(error instanceof DBOSQueueDuplicatedError) || attempt >= holderLookups) throw error;
    }
    const [holder] = await engine.systemDatabase.listWorkflows({
      queueNames: [record.queueName!],
      deduplicationIDs: [record.deduplicationID!],
      loadInput: false,
      loadOutput: false,
    });
    if (holder) return { inserted: false, holderID: holder.workflowID };
  }
}

/**
 * Who owns the new row and which version runs it. EnqueueOptions.applicationVersion,
 * given explicitly, wins; a workflow enqueued for another application
 * (EnqueueOptions.applicationName) carries no version of ours, so that
 * application's own latest version runs it (as in DBOS).
 */
export function ownerAndVersion(
  engine: Engine,
  params: StartWorkflowParams | undefined,
): { applicationName: string; applicationVersion: string | null } {
  const options = params?.enqueueOptions;
  const mine = engine.identity.applicationName;
  const applicationName = options?.applicationName ?? mine;
  const ownVersion = applicationName === mine ? engine.identity.applicationVersion : null;
  return { applicationName, applicationVersion: options?.applicationVersion ?? ownVersion };
}
