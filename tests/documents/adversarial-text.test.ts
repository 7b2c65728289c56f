import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/services/text/analyzer';
import { chunkDocument, ChunkableMimeType } from '../../src/services/text/chunker';
import { htmlToText } from '../../src/services/text/html-to-text';

/**
 * One uploaded document must not stall ingestion. Each input below is about 100 kB built to make a backtracking
 * pattern or a repeated search go quadratic (or worse); chunking it, and analysing its chunks as indexing does, must
 * stay well under a second. The budget is generous on purpose: the machine is shared, and the patterns these inputs
 * once hit took seconds to hours, not milliseconds.
 */
const SIZE = 100_000;
const BUDGET_MS = 1_000;

function fill(fragment: string, size = SIZE): string {
  return fragment.repeat(Math.ceil(size / fragment.length)).slice(0, size);
}

/** Milliseconds to chunk a document and analyse each chunk's heading and text, as the index does when it adds it. */
function ingestionMs(content: string, mimeType: ChunkableMimeType): number {
  const started = performance.now();
  for (const chunk of chunkDocument(content, mimeType)) analyze(`title\n${chunk.heading}\n${chunk.text}`, 'en');
  return performance.now() - started;
}

const ADVERSARIAL: [string, string, ChunkableMimeType][] = [
  ['an ATX heading with 20,000 spaces before its last word', `# a${' '.repeat(20_000)}x`, 'text/markdown'],
  ['an ATX heading of spaces and closing hashes', `## a${fill(' #', SIZE - 10)}x`, 'text/markdown'],
  ['unclosed <script tags', fill('<script'), 'text/html'],
  ['unclosed <script> tags', fill('<script>'), 'text/html'],
  ['unclosed <style x tags', fill('<style x'), 'text/html'],
  ['unclosed comments', fill('<!--'), 'text/html'],
  ['unclosed CDATA sections', fill('<![CDATA['), 'text/html'],
  ['unclosed doctypes', fill('<!doctype'), 'text/html'],
  ['<pre> blocks never closed', fill('<pre>'), 'text/html'],
  ['<pre tags without >', fill('<pre'), 'text/html'],
  ['<a tags without >', fill('<a'), 'text/html'],
  ['closing tags without >', fill('</a '), 'text/html'],
  ['a <pre> body of spaces before a word', `<pre>${' '.repeat(SIZE)}x</pre>`, 'text/html'],
  ['a <pre> body of < without >', `<pre>${'<'.repeat(SIZE)}</pre>`, 'text/html'],
  ['a <pre> body of <br without >', `<pre>${fill('<br ')}</pre>`, 'text/html'],
  ['entities without end', fill('&#x'), 'text/html'],
  ['a heading never closed', `<h1>${fill('word ')}`, 'text/html'],
  ['one line of hashes', fill('#'), 'text/markdown'],
  ['lines of hashes and blanks', fill('###### \t#\n'), 'text/markdown'],
  ['setext underlines of blanks', fill('a\n=   =\n'), 'text/markdown'],
  ['fences never closed', fill('```\n'), 'text/markdown'],
  ['dotted numbers ending in a letter', fill('1.'), 'text/plain'],
  ['one word of 100,000 letters', fill('a'), 'text/plain'],
];

describe('ingesting adversarial documents', () => {
  for (const [name, content, mimeType] of ADVERSARIAL) {
    it(`chunks and analyses ${name} (${mimeType}) within ${BUDGET_MS} ms`, () => {
      expect(ingestionMs(content, mimeType)).toBeLessThan(BUDGET_MS);
    });
  }

  it('keeps the reading of headings and unclosed tags', () => {
    expect(chunkDocument(`# a${' '.repeat(20_000)}x\n\nbody`, 'text/markdown')[0].heading).toBe(`a${' '.repeat(20_000)}x`.slice(0, 200).trimEnd());
    expect(chunkDocument('## Printers ##  \n\nbody', 'text/markdown')[0].heading).toBe('Printers');
    expect(chunkDocument('# #\n\nbody', 'text/markdown')[0].heading).toBe('#');
    expect(chunkDocument('####### seven\n\nbody', 'text/markdown')[0].heading).toBe('');
    expect(htmlToText('<p>kept</p><script>lost')).toBe('kept');
    expect(htmlToText('a <!-- b <!-- c')).toBe('a <!-- b <!-- c');
    expect(htmlToText('<pre>  x\n  y</pre><pre>z')).toBe('  x\n  y\n\nz');
    expect(htmlToText('x <a y <b z')).toBe('x <a y <b z');
  });

  it('keeps chunks within a few times the document, however long a heading line is', () => {
    // Every chunk carries its heading path: a page-long "heading" would be stored and analysed once per chunk.
    const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 977}`).join(' ');
    const content = `# ${words(5_000)}\n\n${words(5_000).replace(/ (word1\d\d) /g, ' $1.\n\n')}`;
    const chunks = chunkDocument(content, 'text/markdown');
    const stored = chunks.reduce((sum, c) => sum + c.heading.length + c.text.length, 0);
    expect(chunks.length).toBeGreaterThan(10);
    expect(stored).toBeLessThan(3 * content.length);
  });

  it('stays within the budget on ~100 kB mixes of troublesome fragments', () => {
    const fragment = fc.constantFrom(
      '<', '>', '<a', '</a', '<pre', '<pre>', '</pre', '<script', '<style x', '<!--', '--', '<![CDATA[', '<!doctype',
      '<br', '<h1>', '</h1', '&#', '&#x', '&amp', ' ', '\t', '\n', '\n\n', '#', '# a', '=', '---', '```', '1.', 'a', 'é',
    );
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 12 }), fc.constantFrom<ChunkableMimeType>('text/html', 'text/markdown'), (parts, mimeType) => {
        // A short random pattern repeated to 100 kB: what a backtracking pattern needs is repetition.
        return ingestionMs(fill(parts.join('')), mimeType) < BUDGET_MS;
      }),
      { seed: 20261207, numRuns: 40 },
    );
  });
});
