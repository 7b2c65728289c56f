import { registerEnumType } from 'type-graphql';

// Role is not registered here on purpose: it exists only as the argument type of @auth (src/directives), and
// type-graphql would otherwise declare a second enum of the same name.

export enum PlanCode {
  DEMO = 'DEMO',
  STARTER = 'STARTER',
  BUSINESS = 'BUSINESS',
  ENTERPRISE = 'ENTERPRISE',
}
registerEnumType(PlanCode, { name: 'PlanCode', description: 'The plans on sale.' });

export enum TenantStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(TenantStatus, { name: 'TenantStatus', description: 'Whether a tenant is served.' });

export enum KeyStatus {
  ACTIVE = 'ACTIVE',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(KeyStatus, { name: 'KeyStatus', description: 'Whether an API key is accepted.' });

export enum Granularity {
  DAY = 'DAY',
  MONTH = 'MONTH',
}
registerEnumType(Granularity, { name: 'Granularity', description: 'Bucket size of a usage report (UTC).' });

export enum ExportFormat {
  JSON = 'JSON',
  MARKDOWN = 'MARKDOWN',
  CSV = 'CSV',
}
registerEnumType(ExportFormat, { name: 'ExportFormat', description: 'Format of a conversation export.' });

/**
 * Who may call a field, lowest first: PUBLIC (publishable keys, in pages anyone can read), CLIENT (a tenant's secret
 * keys, its IT team), ADMIN (the operator). A caller may run a field that requires its own role or a lower one.
 */
export type Role = 'PUBLIC' | 'CLIENT' | 'ADMIN';

/** The role a key row holds: a tenant's key (of either kind) or the operator's. */
export type KeyRole = 'CLIENT' | 'ADMIN';

export enum KeyKind {
  SECRET = 'SECRET',
  PUBLISHABLE = 'PUBLISHABLE',
}
registerEnumType(KeyKind, {
  name: 'KeyKind',
  description: "SECRET keys (sk_…) serve a tenant's IT team; PUBLISHABLE keys (pk_…) go into pages, and reach only their visitor's conversations.",
});

export enum UnansweredReason {
  UNGROUNDED = 'UNGROUNDED',
  RATED_DOWN = 'RATED_DOWN',
}
registerEnumType(UnansweredReason, {
  name: 'UnansweredReason',
  description: 'Why a question counts as unanswered: the documents did not support the answer, or someone rated it down.',
});

export enum Rating {
  UP = 'UP',
  DOWN = 'DOWN',
}
registerEnumType(Rating, { name: 'Rating', description: 'Thumbs up or down on an answer.' });
