/**
 * The `durably` executable's entry (package.json `bin` loads the built copy
 * of this file): runs one command line and exits with its code. The exit is
 * forced shortly after, should a driver keep a handle open.
 */
import { runCli } from './run-cli.ts';

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
process.exitCode = exitCode;
setTimeout(() => process.exit(exitCode), 1000).unref();
