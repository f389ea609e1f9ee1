/**
 * Headless Chromium for the dashboard tests: Debian's `chromium` package
 * driven by playwright-core. No browser, no pass: the tests fail loudly,
 * naming the package to install (.ci/run installs it).
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const chromiumPath = process.env.DURABLY_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `!!! No Chromium at ${chromiumPath}: the dashboard's browser tests cannot run. ` +
        'Install it with `apt-get install -y chromium` (or set DURABLY_CHROMIUM to a Chromium binary).',
    );
  }
  // Loaded here, not at import: its large synchronous load would stall the Postgres probe of backends.ts.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}
