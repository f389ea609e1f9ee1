/**
 * `npm run chaos -- --backend postgres|sqlite --minutes N` (or `--seconds N`):
 * run the chaos driver, print the counts and the violations, exit 1 on any
 * violation (2 on a usage error). See CHAOS.md.
 */
import { runChaos } from './driver.ts';
import { ChaosUsageError, parseChaosOptions } from './options.ts';
import { printSummary } from './report.ts';

try {
  const options = parseChaosOptions(process.argv.slice(2));
  const result = await runChaos(options);
  printSummary(result);
  process.exit(result.verdict.violations.length === 0 ? 0 : 1);
} catch (error) {
  if (error instanceof ChaosUsageError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
