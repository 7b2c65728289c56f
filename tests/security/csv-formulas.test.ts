import { describe, expect, it } from 'vitest';
import { csvField } from '../../src/csv';

// exportConversations(format: CSV) and the CLI's --csv output both write their cells through csvField.
describe('CSV cells a spreadsheet could run', () => {
  it('prefixes a leading = + - @ TAB or CR with a quote, and quotes what RFC 4180 needs', () => {
    expect(csvField('=HYPERLINK("https://evil.example")')).toBe(`"'=HYPERLINK(""https://evil.example"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1+1')).toBe("'\t=1+1");
    expect(csvField('\r=1+1')).toBe(`"'\r=1+1"`);
  });

  it('leaves other values as they are', () => {
    expect(csvField('VPN access')).toBe('VPN access');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('1=1')).toBe('1=1');
    expect(csvField('')).toBe('');
  });
});
