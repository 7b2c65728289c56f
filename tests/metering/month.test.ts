import { describe, expect, it } from 'vitest';
import { monthOf } from '../../src/services/metering/quota.service';

describe('monthOf', () => {
  it('is the UTC calendar month as stored ("YYYY-MM"), the same as the ISO date cut to the month', () => {
    const instants = ['2026-01-01T00:00:00.000Z', '2026-11-30T23:59:59.999Z', '2026-12-31T23:59:59.999Z', '2024-02-29T12:00:00Z', '0999-07-04T00:00:00Z'];
    for (const at of instants) expect(monthOf(new Date(at)), at).toBe(new Date(at).toISOString().slice(0, 7));
    // Local time never leaks in: just before midnight UTC on the last day is still that month everywhere.
    expect(monthOf(new Date(Date.UTC(2026, 10, 30, 23, 59, 59)))).toBe('2026-11');
  });
});
