const PAGE = 'pageInfo { hasNextPage endCursor } totalCount';
const KEY_FIELDS = 'id name prefix status createdAt lastUsedAt expiresAt blockedUntil';
export const TENANT_FIELDS = `id slug name contactEmail status quotaOverride rateOverride allowedOrigins createdAt trialEndsAt documentCount
  plan { code name monthlyQuota ratePerMinute } quota { limit used remaining resetsAt ratePerMinute } keys { ${KEY_FIELDS} }
  billing { customerId subscriptionId status pastDueSince suspendAt unpaidInvoiceId pendingChanges }`;
const BUCKET = 'start requests succeeded refused failed inputTokens outputTokens';

export const PLANS = `{ plans { code name monthlyQuota ratePerMinute priceCents } }`;
export const CHECK_ADMIN = `{ tenants(first: 1) { totalCount } }`;

export const TENANTS = `query Tenants($first: Int, $after: String, $status: TenantStatus, $search: String) {
  tenants(first: $first, after: $after, status: $status, search: $search) {
    edges { node { id name slug contactEmail status plan { code } quota { used limit } } } ${PAGE}
  }
}`;
export const TENANT = `query Tenant($id: ID!) { tenant(id: $id) { ${TENANT_FIELDS} } }`;
export const CREATE_TENANT = `mutation CreateTenant($input: CreateTenantInput!) {
  createTenant(input: $input) { tenant { id name } apiKey { secret key { id name prefix } } }
}`;
export const UPDATE_TENANT = `mutation UpdateTenant($id: ID!, $input: UpdateTenantInput!) { updateTenant(id: $id, input: $input) { ${TENANT_FIELDS} } }`;
export const CHANGE_PLAN = `mutation ChangePlan($tenantId: ID!, $plan: PlanCode!) { changePlan(tenantId: $tenantId, plan: $plan) { ${TENANT_FIELDS} } }`;
export const SUSPEND = `mutation Suspend($id: ID!, $reason: String!) { suspendTenant(id: $id, reason: $reason) { ${TENANT_FIELDS} } }`;
export const REACTIVATE = `mutation Reactivate($id: ID!) { reactivateTenant(id: $id) { ${TENANT_FIELDS} } }`;
export const DELETE_TENANT = `mutation DeleteTenant($id: ID!) { deleteTenant(id: $id) }`;

export const ISSUE_KEY = `mutation IssueKey($tenantId: ID!, $name: String!, $expiresAt: DateTime) {
  issueApiKey(tenantId: $tenantId, name: $name, expiresAt: $expiresAt) { secret key { ${KEY_FIELDS} } }
}`;
export const ROTATE_KEY = `mutation RotateKey($id: ID!, $graceSeconds: Int) { rotateApiKey(id: $id, graceSeconds: $graceSeconds) { secret key { ${KEY_FIELDS} } } }`;
export const REVOKE_KEY = `mutation RevokeKey($id: ID!) { revokeApiKey(id: $id) { id } }`;
export const UNBLOCK_KEY = `mutation UnblockKey($id: ID!) { unblockApiKey(id: $id) { id } }`;

export const DOCUMENTS = `query Documents($tenantId: ID!, $first: Int, $after: String, $search: String) {
  documents(tenantId: $tenantId, first: $first, after: $after, search: $search) {
    edges { node { id title sourceUrl mimeType chunkCount createdAt } } ${PAGE}
  }
}`;
export const ADD_DOCUMENTS = `mutation AddDocuments($tenantId: ID!, $documents: [DocumentInput!]!) {
  addDocuments(tenantId: $tenantId, documents: $documents) { chunkCount skippedDuplicates documents { id title } }
}`;
export const REMOVE_DOCUMENT = `mutation RemoveDocument($id: ID!) { removeDocument(id: $id) }`;
export const RETRIEVAL_TEST = `query RetrievalTest($tenantId: ID!, $query: String!) { retrievalTest(tenantId: $tenantId, query: $query) { documentId title score } }`;

export const TENANT_USAGE = `query TenantUsage($tenantId: ID!, $from: DateTime!, $to: DateTime!) {
  tenantUsage(tenantId: $tenantId, from: $from, to: $to, granularity: DAY) { buckets { ${BUCKET} } total { ${BUCKET} } }
}`;
export const SERVICE_USAGE = `query ServiceUsage($from: DateTime!, $to: DateTime!) {
  serviceUsage(from: $from, to: $to, granularity: DAY) { buckets { ${BUCKET} } total { ${BUCKET} } }
}`;
export const USAGE_SUMMARY = `query UsageSummary($month: String!) {
  usageSummary(month: $month) { tenant { id name } requests succeeded refused failed inputTokens outputTokens }
}`;
export const INVOICE = `query Invoice($tenantId: ID!, $month: String!) {
  invoice(tenantId: $tenantId, month: $month) { month currency subtotalCents vatCents totalCents lines { description quantity unitCents amountCents } }
}`;
export const CLIENT_PACKAGE = `mutation ClientPackage($tenantId: ID!, $endpoint: String!, $keyName: String) {
  createClientPackage(tenantId: $tenantId, endpoint: $endpoint, keyName: $keyName) { filename contentBase64 welcomeMessage apiKey { secret key { id name } } }
}`;

export const ABUSE_EVENTS = `query AbuseEvents($tenantId: ID, $first: Int, $after: String) {
  abuseEvents(tenantId: $tenantId, first: $first, after: $after) { edges { node { id kind tenantId apiKeyId ip detail createdAt } } ${PAGE} }
}`;
export const AUDIT_LOG = `query AuditLog($tenantId: ID, $first: Int, $after: String) {
  auditLog(tenantId: $tenantId, first: $first, after: $after) { edges { node { id tenantId actor action targetType targetId detail createdAt } } ${PAGE} }
}`;
export const RATINGS = `query Ratings($tenantId: ID, $rating: Rating, $first: Int, $after: String) {
  answerRatings(tenantId: $tenantId, rating: $rating, first: $first, after: $after) { edges { node { id tenantId messageId rating comment createdAt } } ${PAGE} }
}`;
export const RATING_STATS = `query RatingStats($tenantId: ID) { answerRatingStats(tenantId: $tenantId) { up down } }`;
