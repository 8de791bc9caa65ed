/**
 * Runs the `crosswatch` command from the TypeScript sources in a child process
 * (`node --import tsx test/helpers/crosswatch-cli-child.ts serve …`), so integration tests exercise
 * the current code without depending on a rebuilt dist/ bundle.
 */
import { runCli } from '../../cli/main.ts';

process.exitCode = await runCli(process.argv.slice(2));
