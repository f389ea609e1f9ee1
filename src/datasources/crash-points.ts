/**
 * Internal, for crash tests only: hooks called where a crash is most telling. A test process sets one to
 * SIGKILL itself there. Unset, each costs one null check per transaction.
 */
export const transactionCrashPoints: {
  /** Called with the workflow ID and the transaction's function ID, after the commit, before the checkpoint. */
  afterApplicationCommit: ((workflowID: string, functionID: number) => void) | null;
  /**
   * Called inside the transaction, after the function ran and its completion row or (single commit) its
   * checkpoint was inserted, before COMMIT: a crash here leaves no trace of the attempt.
   */
  beforeCommit: ((workflowID: string, functionID: number) => void) | null;
} = { afterApplicationCommit: null, beforeCommit: null };
