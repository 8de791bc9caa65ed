import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORE_LAYERS, findViolations, readSources } from './helpers/import-graph.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('import boundaries', () => {
  const sources = readSources(root, ['shared', 'functions', 'cli']);

  it('every import points down, no core file loads a cloud SDK at start, and there is no cycle', () => {
    expect(findViolations(sources)).toEqual([]);
  });

  it('places every room of the core in a layer', () => {
    const known = new Set(CORE_LAYERS.flat());
    const rooms = [...sources.keys()]
      .map((path) => path.split(/[\\/]/))
      .filter((parts) => parts[0] === 'shared' && parts.length > 2)
      .map((parts) => parts[1] ?? '');
    expect([...new Set(rooms)].filter((room) => !known.has(room))).toEqual([]);
  });

  describe('fails on a planted violation', () => {
    const planted = (files: Record<string, string>) => {
      const copy = new Map(sources);
      for (const [path, text] of Object.entries(files)) copy.set(path, text + (copy.get(path) ?? ''));
      return findViolations(copy).map(
        (violation) => `${violation.rule} ${violation.file} ${violation.detail}`,
      );
    };

    it('a lower room importing a higher one, even as a type', () => {
      expect(
        planted({ 'shared/util/read.ts': "import type { Decision } from '../engine/decision.ts';\n" }),
      ).toEqual(['upward-import shared/util/read.ts util -> engine']);
    });

    it('the core importing a runtime folder or a runtime package', () => {
      expect(
        planted({
          'shared/engine/decision.ts': "import { x } from '../../functions/local/http-adapter.ts';\n",
          'shared/notify/sink.ts': "import type { Context } from 'aws-lambda';\n",
        }),
      ).toEqual([
        'runtime-import shared/engine/decision.ts ../../functions/local/http-adapter.ts',
        'runtime-import shared/notify/sink.ts aws-lambda',
      ]);
    });

    it('a cloud SDK imported at the top of a core file (import() and types are fine)', () => {
      expect(
        planted({
          'shared/store/azure-table-store.ts':
            "import { TableClient } from '@azure/data-tables';\nimport type { S3Client } from '@aws-sdk/client-s3';\n",
        }),
      ).toEqual(['top-level-sdk shared/store/azure-table-store.ts @azure/data-tables']);
    });

    it('an import cycle', () => {
      const violations = planted({
        'shared/event/schema.ts': "import { createProbeEvent } from './create-event.ts';\n",
      });
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatch(
        /^cycle .*shared\/event\/create-event\.ts -> shared\/event\/schema\.ts|^cycle .*schema\.ts -> .*create-event\.ts/,
      );
    });
  });
});
