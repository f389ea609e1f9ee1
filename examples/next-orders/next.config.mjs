/**
 * The example imports durably from this repository's src/ (outside the app,
 * hence externalDir). An app that installs durably from npm needs neither.
 */
export default {
  experimental: { externalDir: true },
};
