import { describe, expect, it } from 'vitest';
import { ApiError, UNREACHABLE } from '../../src/contract/client';
import { ERROR_TABLE } from '../../src/errors';
import { refusalDetail, refusalText } from '../../web/src/shared/refusals';

/*
 * The pages' one table of refusal texts (web/src/shared/refusals.ts) against the server's one table of codes
 * (src/errors.ts): every code a client can be shown has its own words in French and in English, and a code the
 * pages don't know yet shows the server's message rather than nothing.
 */
describe("the pages' refusal texts", () => {
  const shown = Object.entries(ERROR_TABLE).map(([code]) => code);

  it.each(['en', 'fr'] as const)('say every code of the error table in their own words (%s)', (language) => {
    for (const code of [...shown, UNREACHABLE, 'HTTP_502', 'HTTP_404']) {
      const server = `server text of ${code}`;
      const text = refusalText(new ApiError(code, server, { retryAfter: 3, resetsAt: '2027-01-01T00:00:00Z', until: '2026-12-08T10:00:00Z' }), language);
      expect(text, code).not.toBe(server);
      expect(text, code).not.toMatch(/\{\w+\}/);
    }
  });

  it('chooses by field, scope and phrasing, and names a CSV row', () => {
    const taken = new ApiError('BAD_USER_INPUT', '“Wi-Fi” is already a phrasing…', { field: 'questions', phrasing: 'Wi-Fi', row: 3 });
    expect(refusalText(taken, 'fr')).toBe('Ligne 3 du CSV : « Wi-Fi » est déjà une formulation d’une autre réponse validée : complétez ou modifiez plutôt celle-ci.');
    expect(refusalText(taken, 'en')).toBe('CSV row 3: “Wi-Fi” is already a phrasing of another curated answer: add to or edit that one instead.');
    expect(refusalDetail(taken)).toBe('BAD_USER_INPUT · questions');
    // A document's field names the document too; its last part chooses the words.
    expect(refusalText(new ApiError('BAD_USER_INPUT', 'A document needs some content.', { field: 'documents[2].content' }), 'fr')).toBe('Un document est vide ou trop volumineux.');
    expect(refusalText(new ApiError('BAD_USER_INPUT', 'x', { field: 'somethingNew' }), 'fr')).toMatch(/^Le serveur a refusé une valeur/);
    const visitor = new ApiError('QUOTA_EXCEEDED', 'x', { scope: 'VISITOR', resetsAt: '2026-12-08T00:00:00Z' });
    expect(refusalText(visitor, 'fr', 'chat')).toBe('Vous avez posé aujourd’hui autant de questions qu’une personne le peut. Vous pourrez en poser d’autres à partir du 8 décembre 2026 à 00:00 UTC.');
    // The chat's staff get the chat's words where they differ from the IT team's.
    expect(refusalText(new ApiError('FORBIDDEN', 'x'), 'en', 'chat')).toMatch(/^This site is not allowed to use this chat key/);
    expect(refusalText(new ApiError('FORBIDDEN', 'x'), 'en')).toBe('This key may not do that.');
  });

  it("shows the server's message for a code it does not know", () => {
    expect(refusalText(new ApiError('SOMETHING_NEW', 'The server says why.'), 'fr')).toBe('The server says why.');
  });
});
