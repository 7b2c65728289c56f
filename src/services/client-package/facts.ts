/** What the client package's texts say about one tenant, its key and its plan. */
export interface PackageFacts {
  tenantName: string;
  endpoint: string;
  apiKey: string;
  planName: string;
  /** Effective figures: the tenant's overrides when set, else the plan's. Null quota: unlimited. */
  monthlyQuota: number | null;
  ratePerMinute: number;
  priceCents: number;
  supportEmail: string;
  /** YYYY-MM-DD, UTC. */
  issuedOn: string;
}

export function priceFr(cents: number): string {
  return `${(cents / 100).toFixed(2).replace('.', ',')} € HT`;
}

export function priceEn(cents: number): string {
  return `€${(cents / 100).toFixed(2)} excl. VAT`;
}

export function quotaFr(quota: number | null): string {
  return quota === null ? 'illimité' : `${quota.toLocaleString('fr-FR')} questions par mois`;
}

export function quotaEn(quota: number | null): string {
  return quota === null ? 'unlimited' : `${quota.toLocaleString('en-GB')} questions a month`;
}
