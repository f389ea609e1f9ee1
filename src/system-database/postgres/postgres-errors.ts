/** Which Postgres failures are a lost or refused connection (retry, or report unreachable) rather than a bad statement. */

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
/** Server shutting down or restarting: the statement did not commit. */
const serverGoneCodes = new Set(['57P01', '57P02', '57P03']);
/**
 * pg's own messages for a dead or silent connection. "Query read timeout": a statement unanswered
 * for query_timeout (a stalled server or network); "timeout exceeded when trying to connect": no
 * pool client within connectionTimeoutMillis.
 */
const lostConnectionMessage =
  /^Connection terminated|^timeout expired|^Client has encountered a connection error|connection timeout|^Query read timeout|^timeout exceeded when trying to connect/i;

export function isConnectionError(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = String((error as Error)?.message ?? '');
  return (
    networkCodes.has(code) ||
    serverGoneCodes.has(code) ||
    code.startsWith('08') ||
    lostConnectionMessage.test(message)
  );
}
