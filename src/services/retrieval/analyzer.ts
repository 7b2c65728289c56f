/**
 * Text analysis shared by every retrieval backend, so that "how much of the question does this passage cover"
 * means the same thing whether PostgreSQL or Weaviate found the passage.
 * (First cut; the lexical-retrieval work refines the internals but keeps these exports.)
 */

/** Lower-cases, strips accents (é → e) and splits into alphanumeric tokens. */
export function tokenize(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

const STOPWORDS = new Set(
  (
    'a an and are as at be by can do does for from how i in is it my of on or the to what when where which who why ' +
    'with you your me we our this that these those not no le la les un une des du de et ou est en au aux pour par ' +
    'sur dans avec je tu il elle nous vous ils elles mon ma mes ce cette ces qui que quoi comment pourquoi ne pas'
  ).split(' '),
);

/** Distinct content terms of a text: tokens minus stopwords. */
export function contentTerms(text: string): string[] {
  return [...new Set(tokenize(text).filter((t) => !STOPWORDS.has(t)))];
}

/** Share (0..1) of `queryTerms` found among the content terms of `text`. */
export function coverage(queryTerms: string[], text: string): number {
  if (queryTerms.length === 0) return 0;
  const present = new Set(contentTerms(text));
  return queryTerms.filter((t) => present.has(t)).length / queryTerms.length;
}
