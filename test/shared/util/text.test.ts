import { describe, expect, it } from 'vitest';
import { toPlainText, toPlainTitle } from '../../../shared/util/text.ts';

describe('toPlainText', () => {
  it('strips tags, turns blocks into lines and decodes entities', () => {
    expect(
      toPlainText(
        '<p>Starting at 02:48 UTC</p><p>customers may see &quot;deallocated&quot; VMs &amp; errors</p>',
      ),
    ).toBe('Starting at 02:48 UTC\ncustomers may see "deallocated" VMs & errors');
  });

  it('handles the malformed test-action table fragment', () => {
    expect(toPlainText('<tr><td>Thisisatestfromservicehealthalert</<td>/<tr>')).toBe(
      'Thisisatestfromservicehealthalert/',
    );
  });

  it('keeps list items readable and drops scripts', () => {
    expect(toPlainText('<ul><li>one</li><li>two</li></ul><script>alert(1)</script>')).toBe('- one\n- two');
  });

  it('unwraps <html> articles and turns literal \\n sequences into newlines', () => {
    expect(toPlainText('<html>An outage alert is being investigated</html>')).toBe(
      'An outage alert is being investigated',
    );
    expect(toPlainText('\\nA software update\\n\\nhas been deployed\\n')).toBe(
      'A software update\n\nhas been deployed',
    );
  });

  it('leaves plain text alone and treats a lone < as text', () => {
    expect(toPlainText('latency < 5 ms for 3 < regions')).toBe('latency < 5 ms for 3 < regions');
  });

  it('caps very long text with an ellipsis and accepts non-strings', () => {
    expect(toPlainText('x'.repeat(20_000), 100)).toHaveLength(100);
    expect(toPlainText(null)).toBe('');
    expect(toPlainText(42)).toBe('42');
  });

  it('keeps angle-bracket placeholders that are not HTML elements', () => {
    expect(toPlainText('Restart <resourceId> in <GUID> <b>now</b>')).toBe(
      'Restart <resourceId> in <GUID> now',
    );
  });

  it('makes one-line titles', () => {
    expect(toPlainTitle('<b>Active:</b>\n Virtual   Machines\tin West US')).toBe(
      'Active: Virtual Machines in West US',
    );
  });
});
