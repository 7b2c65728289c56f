export interface Plan {
  code: string;
  name: string;
  monthlyQuota: number | null;
  ratePerMinute: number;
  priceCents?: number;
}

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  status: 'ACTIVE' | 'REVOKED' | 'EXPIRED';
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  blockedUntil: string | null;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  contactEmail: string;
  status: 'ACTIVE' | 'SUSPENDED';
  quotaOverride: number | null;
  rateOverride: number | null;
  allowedOrigins: string[];
  createdAt: string;
  trialEndsAt: string | null;
  documentCount: number;
  plan: Plan;
  quota: { limit: number | null; used: number; remaining: number | null; resetsAt: string; ratePerMinute: number };
  keys: ApiKeyRow[];
  /** Null when Stripe billing is off. */
  billing: TenantBilling | null;
}

export interface TenantBilling {
  customerId: string | null;
  subscriptionId: string | null;
  status: 'ACTIVE' | 'PAST_DUE' | 'SUSPENDED';
  pastDueSince: string | null;
  suspendAt: string | null;
  unpaidInvoiceId: string | null;
  pendingChanges: number;
}

export interface UsageBucket {
  start: string;
  requests: number;
  succeeded: number;
  refused: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

import type { Api } from '../shared/api';

/** What every console panel gets: the API with the admin key, and where to report a failure or a success. */
export interface ConsoleProps {
  api: Api;
  fail(error: unknown): void;
  notify(message: string): void;
}
