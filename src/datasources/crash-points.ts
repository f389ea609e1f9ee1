/**
 * Internal, for crash tests only: a hook called where a crash is most telling, right after a transaction's
 * application-database commit and before its system-database checkpoint. A test process sets it to SIGKILL
 * itself there. Unset, it costs one null check per transaction.
 */
export const transactionCrashPoints: {
  /** Called with the workflow ID and the transaction's function ID, after the commit, before the checkpoint. */
  afterApplicationCommit: ((workflowID: string, functionID: number) => void) | null;
} = { afterApplicationCommit: null };
