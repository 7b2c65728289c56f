import { htmlToText } from './html-to-text';

/** One piece of a document, as the chunker produces it. */
export interface ChunkInput {
  ordinal: number;
  /** The heading path above the chunk ("Setup > Printers"), empty when none. */
  heading: string;
  text: string;
}

export type ChunkableMimeType = 'text/plain' | 'text/markdown' | 'text/html';

/**
 * Upper bound of a chunk's text. Around 1,200 characters (two or three paragraphs) a passage still answers one
 * question, and five of them fit a generator's prompt comfortably.
 */
export const MAX_CHUNK_CHARS = 1200;
/** Tail of a chunk repeated at the start of the next one from the same section, so no answer is cut in two. */
export const OVERLAP_CHARS = 200;

interface Section {
  path: string[];
  blocks: string[];
}

/**
 * Longest heading title kept. Every chunk of a section carries its heading path and indexing analyses it with each
 * one, so a "heading" of a whole page would be stored and analysed once per chunk: a 1 MB line after "# " made a
 * 2 MB document into a gigabyte of chunk rows. Real headings are a few words.
 */
const MAX_HEADING_CHARS = 200;

function headingTitle(title: string): string {
  if (title.length <= MAX_HEADING_CHARS) return title;
  const space = title.lastIndexOf(' ', MAX_HEADING_CHARS);
  return title.slice(0, space > MAX_HEADING_CHARS / 2 ? space : MAX_HEADING_CHARS).trimEnd();
}

/** Where the run of `chars` that ends just before `end` starts, scanning backwards. */
function runStart(line: string, end: number, chars: string): number {
  while (end > 0 && chars.includes(line[end - 1])) end--;
  return end;
}

/**
 * An ATX heading ("## Title ##"): its level and title, as /^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/ reads it, in one
 * pass. That pattern backtracks cubically on a long run of spaces that is not at the end of the line: a
 * "# a" + 20,000 spaces + "x" line stalled ingestion for minutes.
 */
function atxHeading(line: string): { level: number; title: string } | null {
  let level = 0;
  while (line[level] === '#') level++;
  // '.' stops at line terminators, and `lines` are already split at \n.
  if (level < 1 || level > 6 || (line[level] !== ' ' && line[level] !== '\t') || /[\r\u2028\u2029]/.test(line)) return null;
  let start = level;
  while (line[start] === ' ' || line[start] === '\t') start++;
  if (start === line.length) {
    // Blanks only: the title takes one of them, so it needs two, and is empty once trimmed.
    return start - level >= 2 ? { level, title: '' } : null;
  }
  // The shortest title leaves the longest "blanks, closing #s, blanks" tail; a title of closing #s alone keeps one.
  const end = runStart(line, runStart(line, runStart(line, line.length, ' \t'), '#'), ' \t');
  return { level, title: line.slice(start, Math.max(end, start + 1)).trim() };
}
const FENCE = /^[ \t]*(```|~~~)/;

/**
 * Splits a document into sections along its headings (markdown ATX and setext headings; HTML headings via
 * htmlToText), each with its heading path and its blocks (paragraphs, lists, fenced code kept whole).
 */
function sections(markdown: string, withHeadings: boolean): Section[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const result: Section[] = [];
  const stack: { level: number; title: string }[] = [];
  let current: Section = { path: [], blocks: [] };
  let block: string[] = [];
  let fence: string | null = null;

  const endBlock = (): void => {
    const text = block.join('\n').trim();
    if (text) current.blocks.push(text);
    block = [];
  };
  const startSection = (level: number, title: string): void => {
    endBlock();
    if (current.blocks.length > 0) result.push(current);
    while (stack.length > 0 && stack[stack.length - 1].level >= level) stack.pop();
    stack.push({ level, title: headingTitle(title) });
    current = { path: stack.map((h) => h.title), blocks: [] };
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence !== null) {
      block.push(line);
      if (line.trim().startsWith(fence)) fence = null;
      continue;
    }
    const opening = FENCE.exec(line);
    if (opening) {
      fence = opening[1];
      block.push(line);
      continue;
    }
    if (withHeadings) {
      const atx = atxHeading(line);
      if (atx) {
        startSection(atx.level, atx.title);
        continue;
      }
      // Setext: a single-line paragraph underlined with === (level 1) or --- (level 2).
      const next = lines[i + 1];
      if (block.length === 0 && line.trim() && next !== undefined && /^[ \t]*(=+|-{2,})[ \t]*$/.test(next)) {
        startSection(next.trim()[0] === '=' ? 1 : 2, line.trim());
        i++;
        continue;
      }
    }
    if (line.trim() === '') endBlock();
    else block.push(line);
  }
  endBlock();
  if (current.blocks.length > 0) result.push(current);
  return result;
}

/** Cuts an over-long block at sentence ends, then at spaces, then anywhere, into pieces of at most `max`. */
function splitLong(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = Math.max(window.lastIndexOf('. '), window.lastIndexOf('? '), window.lastIndexOf('! '), window.lastIndexOf('\n'));
    // A cut in the first half would make a stub; prefer a word boundary further on.
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut < max / 2) cut = max;
    else cut += 1;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** The last ~`size` characters of a chunk, starting at a sentence or word boundary. */
function overlapTail(text: string, size: number): string {
  if (text.length <= size) return text;
  const tail = text.slice(text.length - size);
  const sentence = tail.search(/[.!?]\s+\S/);
  if (sentence >= 0 && sentence < size / 2) return tail.slice(sentence + 1).trim();
  const space = tail.indexOf(' ');
  return space >= 0 ? tail.slice(space + 1) : tail;
}

export function chunkDocument(content: string, mimeType: ChunkableMimeType): ChunkInput[] {
  const text = mimeType === 'text/html' ? htmlToText(content) : content;
  // Plain text has no markup: a line starting with '#' there is a comment or a hashtag, not a heading.
  const parts = sections(text, mimeType !== 'text/plain');
  const chunks: ChunkInput[] = [];
  // Room left for a piece after a carried-over tail and the blank line that joins them.
  const budget = MAX_CHUNK_CHARS - OVERLAP_CHARS - 2;

  for (const section of parts) {
    const heading = section.path.join(' > ');
    let buffer = '';
    // Whether `buffer` holds more than the overlap carried over, i.e. something not yet emitted.
    let fresh = false;
    const emit = (): void => {
      if (fresh && buffer.trim()) chunks.push({ ordinal: chunks.length, heading, text: buffer.trim() });
      buffer = fresh ? overlapTail(buffer, OVERLAP_CHARS) : buffer;
      fresh = false;
    };
    for (const block of section.blocks) {
      // Pieces are kept below the budget so that overlap + piece still fits the bound.
      for (const piece of splitLong(block, budget)) {
        if (fresh && buffer.length + 2 + piece.length > MAX_CHUNK_CHARS) emit();
        buffer = buffer ? `${buffer}\n\n${piece}` : piece;
        fresh = true;
      }
    }
    emit();
  }
  return chunks;
}
