/**
 * The system-database fault errors constructed in this process. One read back from the system database (a
 * step's recorded error) is revived without its constructor, so it is not here: replaying it is the
 * workflow's own outcome, not a fault to wait out. Internal: not re-exported by errors.ts.
 */
const raisedHere = new WeakSet<object>();

/** Called by the constructors of the fault errors (DBOSSqliteFaultError, DBOSDatabaseUnavailableError). */
export function markRaisedHere(error: object): void {
  raisedHere.add(error);
}

export function wasRaisedHere(error: unknown): boolean {
  return typeof error === 'object' && error !== null && raisedHere.has(error);
}
