import type { Config } from '../../config';
import { KeyKind } from '../../entities/enums';
import type { TenantService } from '../tenants/tenant.service';
import { monthRange } from '../usage/usage.service';

export interface InvoiceLineData {
  /** What the line bills: Stripe billing sends the plan as a subscription and the other lines as invoice items. */
  kind: 'plan' | 'extraKeys' | 'documentLots';
  description: string;
  quantity: number;
  unitCents: number;
  amountCents: number;
}

export interface InvoiceData {
  tenantId: string;
  month: string;
  lines: InvoiceLineData[];
  subtotalCents: number;
  vatCents: number;
  totalCents: number;
  currency: string;
}

/**
 * Monthly invoices in integer euro cents: the plan price, extra publishable keys beyond the first, and document lots.
 * Amounts are computed from the same rows the operator sees, so an invoice can be re-derived at any time.
 */
export class BillingService {
  constructor(
    private readonly tenants: TenantService,
    private readonly billing: Config['billing'],
  ) {}

  async invoice(tenantId: string, month: string): Promise<InvoiceData> {
    const { start, end } = monthRange(month);
    const tenant = await this.tenants.get(tenantId);
    const plan = await this.tenants.plan(tenant.planCode);
    const scope = this.tenants.scopeOf(tenant);
    const lines: InvoiceLineData[] = [line('plan', `${plan.name} plan (${plan.code}), ${month}`, 1, plan.priceCents)];

    // Extra keys are publishable keys beyond the first; secret keys (up to three active) are not charged.
    if (plan.extraKeyPriceCents !== null) {
      const n = await scope.keys.billableKeyCount(start, end, KeyKind.PUBLISHABLE);
      if (n > 1) lines.push(line('extraKeys', `Extra publishable API keys beyond the first, ${month}`, n - 1, plan.extraKeyPriceCents));
    }

    // Documents are sold in lots (150 € per 10 added by default); a started lot is billed whole.
    const added = await scope.documents.documentsAddedBetween(start, end);
    if (added > 0) {
      const lots = Math.ceil(added / this.billing.documentLotSize);
      lines.push(line('documentLots', `Document lots of ${this.billing.documentLotSize} (${added} documents added in ${month})`, lots, this.billing.documentLotCents));
    }

    const subtotalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
    // VAT rounded half up to the cent, on the subtotal (not per line), so the total is subtotal + VAT exactly.
    const vatCents = Math.floor((subtotalCents * this.billing.vatPercent + 50) / 100);
    return { tenantId: tenant.id, month, lines, subtotalCents, vatCents, totalCents: subtotalCents + vatCents, currency: 'EUR' };
  }
}

function line(kind: InvoiceLineData['kind'], description: string, quantity: number, unitCents: number): InvoiceLineData {
  return { kind, description, quantity, unitCents, amountCents: quantity * unitCents };
}
