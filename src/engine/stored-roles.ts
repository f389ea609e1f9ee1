/**
 * The `authenticated_roles` column holds the roles of the workflow's
 * authenticated user as JSON text (an array of strings). One reader for every
 * place that puts them back: recovery, a dequeued start, the public status.
 */

/** The stored roles, or undefined when none were stored or the text is not a JSON array. */
export function parseStoredRoles(text: string | null | undefined): string[] | undefined {
  if (!text) return undefined;
  let roles: unknown;
  try {
    roles = JSON.parse(text);
  } catch {
    // Written by durably as JSON.stringify(string[]); anything else came from elsewhere and grants no role.
    return undefined;
  }
  return Array.isArray(roles) ? roles.map(String) : undefined;
}
