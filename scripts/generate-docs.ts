/**
 * Rewrites the generated sections of docs/ (`npx tsx scripts/generate-docs.ts`): the configuration
 * reference in docs/configuration.md and the command reference in docs/operations.md. With `--check`
 * it writes nothing and exits 1 when a page is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { GENERATED_SECTIONS, readSection, writeSection } from './docs-sections.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const section of GENERATED_SECTIONS) {
  const page = readFileSync(section.file, 'utf8');
  const content = section.render();
  if (readSection(page, section) === content) continue;
  stale++;
  if (check) {
    console.log(`stale: ${section.file} (${section.start})`);
  } else {
    writeFileSync(section.file, writeSection(page, section, content));
    console.log(`wrote ${section.file} (${section.start})`);
  }
}
if (check && stale > 0) process.exitCode = 1;
