import { Command } from 'commander';
import { InvoiceDocument } from '../../contract/operations.generated';
import { details, render } from '../output';
import { resolveTenant, sessionOf } from '../session';
import { requireMonth } from './usage';

const euros = (cents: number) => (cents / 100).toFixed(2);

/** `askdesk invoice <tenant> <month>`. */
export function invoiceCommand(): Command {
  return new Command('invoice')
    .description("a tenant's invoice for a month")
    .argument('<tenant>', 'tenant id or slug')
    .argument('<month>', 'YYYY-MM')
    .option('--json', 'print JSON')
    .action(async (ref: string, month: string, options, command: Command) => {
      requireMonth(month);
      const { api, print } = sessionOf(command);
      const tenant = await resolveTenant(api, ref);
      const { invoice } = await api.request(InvoiceDocument, { tenantId: tenant.id, month });
      if (options.json) return print(JSON.stringify({ tenant: tenant.slug, ...invoice }, null, 2));
      print(`Invoice ${tenant.name} (${tenant.slug}), ${invoice.month}, ${invoice.currency}`);
      print('');
      print(render(invoice.lines, [
        { header: 'description', value: (l) => l.description },
        { header: 'quantity', value: (l) => l.quantity },
        { header: 'unit', value: (l) => euros(l.unitCents) },
        { header: 'amount', value: (l) => euros(l.amountCents) },
      ], 'table'));
      print('');
      print(details([['subtotal', euros(invoice.subtotalCents)], ['VAT', euros(invoice.vatCents)], ['total', euros(invoice.totalCents)]]));
    });
}
