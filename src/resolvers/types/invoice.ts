import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One line of an invoice, in euro cents.' })
export class InvoiceLine {
  @Field(() => String)
  description: string;

  @Field(() => Int)
  quantity: number;

  @Field(() => Int)
  unitCents: number;

  @Field(() => Int, { description: 'quantity × unitCents.' })
  amountCents: number;
}

@ObjectType({ description: 'A monthly invoice in integer euro cents, French VAT included.' })
export class Invoice {
  @Field(() => ID)
  tenantId: string;

  @Field(() => String, { description: 'YYYY-MM.' })
  month: string;

  @Field(() => [InvoiceLine])
  lines: InvoiceLine[];

  @Field(() => Int)
  subtotalCents: number;

  @Field(() => Int, { description: 'VAT on the subtotal, rounded half up to the cent.' })
  vatCents: number;

  @Field(() => Int, { description: 'subtotalCents + vatCents.' })
  totalCents: number;

  @Field(() => String, { description: 'ISO 4217 code: EUR.' })
  currency: string;
}
