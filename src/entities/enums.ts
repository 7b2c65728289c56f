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

export type Role = 'CLIENT' | 'ADMIN';

export enum Rating {
  UP = 'UP',
  DOWN = 'DOWN',
}
registerEnumType(Rating, { name: 'Rating', description: 'Thumbs up or down on an answer.' });
