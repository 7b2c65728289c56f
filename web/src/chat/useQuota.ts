import { useEffect, useState } from 'preact/hooks';
import { QuotaDocument } from '../../../src/contract/operations.generated';
import type { Api, ApiError } from '../shared/api';
import type { Quota } from './types';

/** The month's quota in the header: read when a key is set, then taken from each answer. */
export function useQuota(api: Api | null, error: ApiError | null, fail: (e: unknown) => void) {
  const [quota, setQuota] = useState<Quota | null>(null);

  useEffect(() => {
    setQuota(null);
    api?.request(QuotaDocument).then((d) => setQuota(d.quota), fail);
  }, [api, fail]);

  // A QUOTA_EXCEEDED refusal means none is left this month, whatever the last figure said; the visitor cap
  // (scope VISITOR) is one person's day, and leaves the organisation's month as it was.
  useEffect(() => {
    if (error?.code === 'QUOTA_EXCEEDED' && error.extensions.scope !== 'VISITOR') setQuota((q) => (q ? { ...q, remaining: 0 } : q));
  }, [error]);

  return { quota, setQuota };
}
