import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroundingPolicy } from '../../src/services/retrieval/grounding-policy';
import type { ChunkInput, IndexedDocument, Passage, RetrievalIndex } from '../../src/services/retrieval/types';

/**
 * What every retrieval backend promises behind `RetrievalIndex` / `Retriever`, written once and run against each
 * (retriever-contract.test.ts): PostgreSQL, and Weaviate through the real client and the loopback fake. The chat
 * service relies on exactly this; what one backend adds of its own is tested beside it.
 */
export interface ContractBackend {
  index: RetrievalIndex;
  /** A tenant the backend may index for (a row in `tenant` where the backend needs one). */
  newTenant(): Promise<string>;
  /** A document id of that tenant (a row in `document`, whose title and source PostgreSQL passages quote). */
  newDocument(tenantId: string, title: string, sourceUrl: string | null): Promise<string>;
  close(): Promise<void>;
}

interface Doc {
  title: string;
  sourceUrl: string | null;
  sections: [heading: string, text: string][];
}

const A_DOCS: Doc[] = [
  {
    title: 'Password reset',
    sourceUrl: 'https://intranet.a.example/it/password',
    sections: [
      ['Password reset > Portal', 'To reset your password, open the self-service portal and answer the security questions.'],
      ['Password reset > Expiry', 'A reset password link expires after one hour.'],
    ],
  },
  {
    title: 'VPN access',
    sourceUrl: null,
    sections: [
      ['VPN access > Install', 'Install the GlobalProtect client and sign in with your network account.'],
      ['VPN access > Drops', 'If the VPN disconnects every few minutes, switch from Wi-Fi to a wired connection.'],
    ],
  },
  {
    title: 'Printer setup',
    sourceUrl: 'https://intranet.a.example/it/printers',
    sections: [
      ['Printer setup > Queue', 'Add the office printer from Settings, then choose the second floor queue.'],
      ['Printer setup > Offline', 'When the printer shows offline, restart the print spooler service.'],
    ],
  },
];

const B_DOCS: Doc[] = [
  {
    title: 'Scanner configuration',
    sourceUrl: null,
    sections: [['Scanner configuration', 'Finance scanners need toner cartridges from the storeroom; ZEBRA override code 4471.']],
  },
];

function chunks(doc: Doc): ChunkInput[] {
  return doc.sections.map(([heading, text], ordinal) => ({ ordinal, heading, text }));
}

export function describeRetrieverContract(name: string, open: () => Promise<ContractBackend>): void {
  describe(`retriever contract: ${name}`, () => {
    let backend: ContractBackend;
    let index: RetrievalIndex;
    const tenant = { a: '', b: '' };
    const ids = new Map<string, string>();

    async function add(tenantId: string, doc: Doc): Promise<IndexedDocument> {
      const documentId = ids.get(doc.title) ?? (await backend.newDocument(tenantId, doc.title, doc.sourceUrl));
      ids.set(doc.title, documentId);
      const indexed = { tenantId, documentId, title: doc.title, sourceUrl: doc.sourceUrl, chunks: chunks(doc) };
      await index.addDocument(indexed);
      return indexed;
    }

    const search = (tenantId: string, q: string, limit = 10): Promise<Passage[]> => index.forTenant(tenantId).search(q, limit);

    beforeAll(async () => {
      backend = await open();
      index = backend.index;
      tenant.a = await backend.newTenant();
      tenant.b = await backend.newTenant();
      for (const d of A_DOCS) await add(tenant.a, d);
      for (const d of B_DOCS) await add(tenant.b, d);
    });
    afterAll(async () => backend?.close());

    it('answers ping', async () => {
      await expect(index.ping()).resolves.toBeUndefined();
    });

    it('finds the document that answers first, as passages with scores best first and coverage', async () => {
      const hits = await search(tenant.a, 'How do I reset my password?', 3);
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.length).toBeLessThanOrEqual(3);
      expect(hits[0]).toMatchObject({
        documentId: ids.get('Password reset'),
        title: 'Password reset',
        sourceUrl: 'https://intranet.a.example/it/password',
      });
      expect(hits[0].heading).toMatch(/^Password reset > /);
      expect(hits[0].text).toMatch(/password/i);
      expect(typeof hits[0].chunkId).toBe('string');
      expect(new Set(hits.map((h) => h.chunkId)).size).toBe(hits.length);
      for (const h of hits) {
        expect(Number.isFinite(h.score)).toBe(true);
        expect(h.coverage).toBeGreaterThanOrEqual(0);
        expect(h.coverage).toBeLessThanOrEqual(1);
      }
      expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((x, y) => y - x));
      expect(hits[0].coverage).toBe(1);

      const [printer] = await search(tenant.a, 'printer offline spooler', 1);
      expect(printer).toMatchObject({ title: 'Printer setup', sourceUrl: 'https://intranet.a.example/it/printers' });
      const [vpn] = await search(tenant.a, 'VPN disconnects', 1);
      expect(vpn).toMatchObject({ title: 'VPN access', sourceUrl: null });
    });

    it("never returns another tenant's documents", async () => {
      for (const q of ['finance scanners toner', 'ZEBRA override code', 'scanner configuration']) {
        expect(await search(tenant.a, q), q).toEqual([]);
      }
      const [first] = await search(tenant.b, 'finance scanners toner');
      expect(first.title).toBe('Scanner configuration');
      expect((await search(tenant.b, 'reset password VPN printer')).map((h) => h.title)).not.toContain('Password reset');
    });

    it('returns nothing for a question without words, a zero limit, or a tenant that never indexed anything', async () => {
      expect(await search(tenant.a, '?!  …')).toEqual([]);
      expect(await search(tenant.a, 'password', 0)).toEqual([]);
      expect(await search(await backend.newTenant(), 'password')).toEqual([]);
    });

    it('grounds related questions and rejects unrelated ones', async () => {
      const policy = new GroundingPolicy();
      for (const q of ['How do I reset my password?', 'The VPN keeps disconnecting', 'printer offline']) {
        expect(policy.select(q, await search(tenant.a, q)).grounded, q).toBe(true);
      }
      for (const q of ['What is the capital of Peru?', 'Who won the 1998 football world cup?']) {
        expect(policy.select(q, await search(tenant.a, q)), q).toEqual({ grounded: false, passages: [] });
      }
    });

    it('replaces the chunks of a document indexed again, and holds none once it has none', async () => {
      const vpn = A_DOCS[1];
      const forVpn = async () => (await search(tenant.a, 'VPN GlobalProtect disconnects wired')).filter((h) => h.documentId === ids.get(vpn.title));
      const before = (await forVpn()).length;
      expect(before).toBe(2);
      await add(tenant.a, vpn);
      expect(await forVpn()).toHaveLength(before);

      await index.addDocument({ tenantId: tenant.a, documentId: ids.get(vpn.title)!, title: vpn.title, sourceUrl: null, chunks: [] });
      expect(await forVpn()).toEqual([]);
      await add(tenant.a, vpn);
      expect(await forVpn()).toHaveLength(before);
    });

    it('indexes a group of documents at once where the backend can', async () => {
      if (!index.addDocuments) return;
      const group: Doc[] = [1, 2, 3].map((i) => ({
        title: `Badge reader ${i}`,
        sourceUrl: null,
        sections: [[`Badge reader ${i}`, `Badge reader number ${i} opens door ${i}; if the badge is refused, call security.`]],
      }));
      const docs = await Promise.all(
        group.map(async (d) => {
          const documentId = await backend.newDocument(tenant.a, d.title, null);
          ids.set(d.title, documentId);
          return { tenantId: tenant.a, documentId, title: d.title, sourceUrl: null, chunks: chunks(d) };
        }),
      );
      await index.addDocuments(docs);
      const hits = await search(tenant.a, 'badge reader refused', 10);
      expect(new Set(hits.map((h) => h.title))).toEqual(new Set(group.map((d) => d.title)));
    });

    it('removes one document and nothing else', async () => {
      await index.removeDocument(tenant.a, ids.get('Printer setup')!);
      expect(await search(tenant.a, 'printer offline spooler')).toEqual([]);
      expect((await search(tenant.a, 'reset password'))[0].title).toBe('Password reset');
      expect((await search(tenant.b, 'finance scanners'))[0].title).toBe('Scanner configuration');
      await expect(index.removeDocument(tenant.a, ids.get('Printer setup')!)).resolves.toBeUndefined();
    });

    it('serves a suspended tenant again, whole, once reactivated', async () => {
      await index.suspendTenant?.(tenant.b);
      await index.reactivateTenant?.(tenant.b);
      expect((await search(tenant.b, 'finance scanners'))[0].title).toBe('Scanner configuration');
      // A tenant that never indexed anything has nothing to suspend.
      const idle = await backend.newTenant();
      await index.suspendTenant?.(idle);
      await index.reactivateTenant?.(idle);
    });

    it("removes a whole tenant and leaves the other tenant's intact; the tenant can index again", async () => {
      await index.removeTenant(tenant.a);
      expect(await search(tenant.a, 'reset password')).toEqual([]);
      expect(await search(tenant.a, 'VPN disconnects')).toEqual([]);
      expect((await search(tenant.b, 'finance scanners'))[0].title).toBe('Scanner configuration');

      await add(tenant.a, A_DOCS[0]);
      expect((await search(tenant.a, 'reset password'))[0].title).toBe('Password reset');
      await index.removeTenant(await backend.newTenant()); // never indexed: nothing to do
    });
  });
}
