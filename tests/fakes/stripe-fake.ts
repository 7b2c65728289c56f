import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the parts of Stripe's REST API that AskDesk uses, close enough to the wire protocol that
 * the real `stripe` SDK runs against it unchanged: form-encoded bodies with bracketed keys (`items[0][price]`),
 * `Authorization: Bearer sk_test_…`, JSON objects with `id` and `object`, lists as `{ object: 'list', data }`,
 * errors as `{ error: { type, message, code?, param? } }` with Stripe's statuses (401 bad key, 400 invalid
 * request, 404 unknown object or URL), and `Idempotency-Key` replaying the first response.
 *
 * Endpoints: `POST /v1/customers`; `GET /v1/prices` (`lookup_keys[]`), `POST /v1/prices` (with `product_data`);
 * `POST /v1/subscriptions`, `POST /v1/subscriptions/:id` (items changed by item id), `DELETE /v1/subscriptions/:id`;
 * `POST /v1/invoiceitems`. Tests read what it holds (`customers`, `subscriptions`, `invoiceItems`, `prices`),
 * make it unreachable (`unreachable`: connections are cut before any reply), and build webhook deliveries signed
 * as Stripe signs them (`delivery`).
 */
export class StripeFake {
  readonly customers = new Map<string, any>();
  readonly prices = new Map<string, any>();
  readonly subscriptions = new Map<string, any>();
  readonly invoiceItems: any[] = [];
  /** Every request that reached it: method, path and the decoded form. */
  readonly requests: { method: string; path: string; form: Record<string, any> }[] = [];
  /** When true, every connection is cut without a reply, as when Stripe cannot be reached. */
  unreachable = false;
  private readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private server?: Server;
  url = '';

  constructor(readonly secretKey = 'sk_test_fake0123456789', readonly webhookSecret = 'whsec_fake0123456789') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (this.unreachable) return void req.socket.destroy();
      this.handle(req, res).catch((error) => this.send(res, 500, { error: { type: 'api_error', message: String(error) } }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** A webhook delivery as Stripe sends it: the event's JSON and `Stripe-Signature: t=<ts>,v1=<HMAC-SHA256>`. */
  delivery(type: string, object: Record<string, unknown>, options: { id?: string; secret?: string } = {}): { id: string; payload: string; signature: string } {
    const id = options.id ?? `evt_${token()}`;
    const created = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({
      id, object: 'event', api_version: '2026-11-18.endive', created, livemode: false, pending_webhooks: 1,
      request: { id: null, idempotency_key: null }, type, data: { object },
    }, null, 2);
    const hmac = createHmac('sha256', options.secret ?? this.webhookSecret).update(`${created}.${payload}`).digest('hex');
    return { id, payload, signature: `t=${created},v1=${hmac}` };
  }

  /** An invoice of this customer, as `invoice.*` events carry it. */
  invoice(customer: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
    return { id: `in_${token()}`, object: 'invoice', customer, currency: 'eur', amount_due: 4900, status: 'open', livemode: false, ...fields };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => resolve(body));
    });
    const form = decodeForm(req.method === 'GET' ? url.search.slice(1) : raw);
    this.requests.push({ method: req.method ?? '', path: url.pathname, form });

    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${this.secretKey}`) {
      return this.send(res, 401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${auth.replace(/^Bearer /, '').slice(0, 8)}***` } });
    }
    if (req.method === 'POST' && !req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return this.send(res, 400, { error: { type: 'invalid_request_error', message: 'Invalid request: bodies must be form-encoded.' } });
    }
    const key = req.headers['idempotency-key'];
    const replayKey = typeof key === 'string' ? `${req.method} ${url.pathname} ${key}` : null;
    const replay = replayKey ? this.idempotent.get(replayKey) : undefined;
    if (replay) {
      res.setHeader('idempotent-replayed', 'true');
      return this.send(res, replay.status, replay.body);
    }
    const [status, body] = this.route(req.method ?? 'GET', url.pathname, form);
    if (replayKey && status < 500) this.idempotent.set(replayKey, { status, body });
    this.send(res, status, body);
  }

  private route(method: string, path: string, form: Record<string, any>): [number, unknown] {
    const now = Math.floor(Date.now() / 1000);
    const sub = path.match(/^\/v1\/subscriptions\/([^/]+)$/);
    if (method === 'POST' && path === '/v1/customers') {
      const customer = { id: `cus_${token()}`, object: 'customer', created: now, livemode: false, name: form.name ?? null, email: form.email ?? null, metadata: form.metadata ?? {} };
      this.customers.set(customer.id, customer);
      return [200, customer];
    }
    if (method === 'GET' && path === '/v1/prices') {
      const keys: string[] = Object.values(form.lookup_keys ?? {});
      const data = [...this.prices.values()].filter((p) => (keys.length === 0 || keys.includes(p.lookup_key)) && (form.active === undefined || String(p.active) === form.active));
      return [200, { object: 'list', url: '/v1/prices', has_more: false, data: data.slice(0, Number(form.limit ?? 10)) }];
    }
    if (method === 'POST' && path === '/v1/prices') {
      if (!form.currency) return missing('currency');
      if (form.unit_amount === undefined) return missing('unit_amount');
      if (!form.product && !form.product_data?.name) return missing('product');
      if (form.lookup_key && [...this.prices.values()].some((p) => p.lookup_key === form.lookup_key)) {
        return [400, { error: { type: 'invalid_request_error', message: `A price (\`${form.lookup_key}\`) already uses that lookup key.`, param: 'lookup_key' } }];
      }
      const price = {
        id: `price_${token()}`, object: 'price', active: true, currency: form.currency, unit_amount: Number(form.unit_amount),
        recurring: form.recurring ? { interval: form.recurring.interval, interval_count: 1 } : null,
        type: form.recurring ? 'recurring' : 'one_time', lookup_key: form.lookup_key ?? null,
        product: form.product ?? `prod_${token()}`, metadata: form.metadata ?? {}, livemode: false, created: now,
      };
      this.prices.set(price.id, price);
      return [200, price];
    }
    if (method === 'POST' && path === '/v1/subscriptions') {
      if (!this.customers.has(form.customer)) return noSuch('customer', form.customer);
      const items = Object.values(form.items ?? {}) as any[];
      if (items.length === 0) return missing('items');
      const subscription: any = { id: `sub_${token()}`, object: 'subscription', customer: form.customer, status: 'active', created: now, livemode: false, metadata: form.metadata ?? {}, items: { object: 'list', has_more: false, data: [] } };
      for (const item of items) {
        const price = this.prices.get(item.price);
        if (!price) return noSuch('price', item.price);
        subscription.items.data.push({ id: `si_${token()}`, object: 'subscription_item', price, quantity: 1, subscription: subscription.id });
      }
      this.subscriptions.set(subscription.id, subscription);
      return [200, subscription];
    }
    if (sub && method === 'POST') {
      const subscription = this.subscriptions.get(sub[1]);
      if (!subscription) return noSuch('subscription', sub[1]);
      if (subscription.status === 'canceled') return [400, { error: { type: 'invalid_request_error', message: 'A canceled subscription can only update its cancellation_details and metadata.' } }];
      for (const change of Object.values(form.items ?? {}) as any[]) {
        const price = this.prices.get(change.price);
        if (!price) return noSuch('price', change.price);
        const item = subscription.items.data.find((i: any) => i.id === change.id);
        if (change.id && !item) return noSuch('subscription_item', change.id);
        if (item) item.price = price;
        else subscription.items.data.push({ id: `si_${token()}`, object: 'subscription_item', price, quantity: 1, subscription: subscription.id });
      }
      subscription.metadata = { ...subscription.metadata, ...(form.metadata ?? {}) };
      subscription.proration_behavior = form.proration_behavior;
      return [200, subscription];
    }
    if (sub && method === 'DELETE') {
      const subscription = this.subscriptions.get(sub[1]);
      if (!subscription) return noSuch('subscription', sub[1]);
      subscription.status = 'canceled';
      subscription.canceled_at = now;
      return [200, subscription];
    }
    if (method === 'POST' && path === '/v1/invoiceitems') {
      if (!this.customers.has(form.customer)) return noSuch('customer', form.customer);
      if (!form.currency) return missing('currency');
      const quantity = Number(form.quantity ?? 1);
      const unit = form.unit_amount_decimal !== undefined ? Number(form.unit_amount_decimal) : undefined;
      const amount = unit !== undefined ? Math.round(unit * quantity) : Number(form.amount);
      if (!Number.isFinite(amount)) return missing('amount');
      const item = { id: `ii_${token()}`, object: 'invoiceitem', customer: form.customer, currency: form.currency, amount, quantity, unit_amount_decimal: form.unit_amount_decimal ?? null, description: form.description ?? null, metadata: form.metadata ?? {}, livemode: false, date: now };
      this.invoiceItems.push(item);
      return [200, item];
    }
    return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } }];
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${token()}`, 'stripe-version': '2026-11-18.endive' });
    res.end(JSON.stringify(body));
  }
}

function token(): string {
  return randomBytes(10).toString('hex');
}

function missing(param: string): [number, unknown] {
  return [400, { error: { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.` } }];
}

function noSuch(what: string, id: string): [number, unknown] {
  return [404, { error: { type: 'invalid_request_error', code: 'resource_missing', param: what, message: `No such ${what}: '${id}'` } }];
}

/** `items[0][price]=p&metadata[a]=b` → `{ items: { 0: { price: 'p' } }, metadata: { a: 'b' } }` (arrays stay indexed objects). */
function decodeForm(text: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const path = name.split(/\]\[|\[|\]/).filter((part) => part !== '');
    let node = out;
    for (const part of path.slice(0, -1)) node = node[part] ??= {};
    node[path[path.length - 1]] = value;
  }
  return out;
}
