import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum BillingStatus {
  ACTIVE = 'ACTIVE',
  PAST_DUE = 'PAST_DUE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(BillingStatus, {
  name: 'BillingStatus',
  description: 'How a tenant stands with Stripe.',
  valuesConfig: {
    ACTIVE: { description: 'Nothing unpaid.' },
    PAST_DUE: { description: 'A payment failed; the tenant is suspended at suspendAt unless the invoice is paid before.' },
    SUSPENDED: { description: 'Suspended for that unpaid invoice; paying it reactivates the tenant.' },
  },
});

@ObjectType({ description: "A tenant's billing with Stripe, as the operator's console shows it." })
export class TenantBilling {
  @Field(() => String, { nullable: true, description: 'The Stripe customer (cus_…); null until the first sync reached Stripe.' })
  customerId: string | null;

  @Field(() => String, { nullable: true, description: 'The Stripe subscription to the plan (sub_…); null on a free plan (DEMO) or before the first sync.' })
  subscriptionId: string | null;

  @Field(() => BillingStatus, { description: 'Whether an invoice is unpaid, and what followed.' })
  status: BillingStatus;

  @Field(() => Date, { nullable: true, description: 'When the unpaid invoice first failed to be paid.' })
  pastDueSince: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the tenant is (or was) suspended if the invoice stays unpaid.' })
  suspendAt: Date | null;

  @Field(() => String, { nullable: true, description: 'The unpaid Stripe invoice (in_…).' })
  unpaidInvoiceId: string | null;

  @Field(() => Int, { description: 'Changes not yet sent to Stripe (it was unreachable, or the sync is under way); they are retried.' })
  pendingChanges: number;
}
