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
  assistantInstructions: string | null;
  createdAt: string;
  trialEndsAt: string | null;
  documentCount: number;
  plan: Plan;
  quota: { limit: number | null; used: number; remaining: number | null; resetsAt: string; ratePerMinute: number };
  keys: ApiKeyRow[];
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
