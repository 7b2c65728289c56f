/**
 * Reduces an HTML page to plain text that keeps its structure where retrieval needs it: headings become markdown
 * headings (so the chunker can split and label sections), block elements become paragraph breaks, list items
 * become "- " lines and <pre> blocks keep their line breaks. Scripts, styles and other non-content are dropped.
 * This is a tolerant scanner, not a validating parser: support pages are often malformed, and any text that is
 * not inside a tag survives.
 */

// Elements whose content is never readable text.
const DROPPED = ['script', 'style', 'noscript', 'template', 'svg', 'head', 'iframe', 'object', 'canvas'];

const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav', 'blockquote', 'table', 'thead',
  'tbody', 'tfoot', 'tr', 'ul', 'ol', 'dl', 'dt', 'dd', 'figure', 'figcaption', 'form', 'fieldset', 'address',
  'details', 'summary', 'hr', 'caption',
]);

// HTML 4 named entities for code points 160..255, in code-point order, plus the few others common in prose.
const LATIN1 = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring ' +
  'AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml ' +
  'times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil ' +
  'egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ' +
  'ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

const ENTITIES = new Map<string, number>([
  ['amp', 38], ['lt', 60], ['gt', 62], ['quot', 34], ['apos', 39], ['OElig', 338], ['oelig', 339],
  ['Scaron', 352], ['scaron', 353], ['Yuml', 376], ['ndash', 8211], ['mdash', 8212], ['lsquo', 8216],
  ['rsquo', 8217], ['sbquo', 8218], ['ldquo', 8220], ['rdquo', 8221], ['bdquo', 8222], ['bull', 8226],
  ['hellip', 8230], ['prime', 8242], ['lsaquo', 8249], ['rsaquo', 8250], ['euro', 8364], ['trade', 8482],
  ['larr', 8592], ['rarr', 8594], ['uarr', 8593], ['darr', 8595], ['harr', 8596], ['rArr', 8658],
  ['thinsp', 8201], ['ensp', 8194], ['emsp', 8195], ['zwnj', 8204], ['zwj', 8205],
  ...LATIN1.map((name, i): [string, number] => [name, 160 + i]),
]);

/** Decodes named, decimal and hexadecimal character references; unknown ones are left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);?/gi, (whole, ref: string) => {
    let code: number | undefined;
    if (ref[0] === '#') code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    else code = ENTITIES.get(ref);
    if (code === undefined || !Number.isFinite(code) || code <= 0 || code > 0x10ffff) return whole;
    // A non-breaking space would glue words together for the tokenizer.
    return code === 160 ? ' ' : String.fromCodePoint(code);
  });
}

function collapse(text: string): string {
  return text.replace(/[ \t\r\n\f\v]+/g, ' ');
}

export function htmlToText(html: string): string {
  // NUL marks the places of <pre> blocks below, so none may come from the page.
  let s = html.replace(/\u0000/g, '').replace(/<!--[\s\S]*?-->/g, ' ').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ' ');
  for (const tag of DROPPED) {
    s = s.replace(new RegExp(`<${tag}\\b[\\s\\S]*?</${tag}\\s*>`, 'gi'), ' ');
    // An unclosed script or style would otherwise leak code into the text up to the end of the page.
    s = s.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*$`, 'i'), ' ');
  }
  s = s.replace(/<!doctype[^>]*>/gi, ' ');

  const out: string[] = [];
  // <pre> bodies wait outside `out` while its whitespace is tidied, then return untouched.
  const preBlocks: string[] = [];
  // Text, tags and <pre> blocks in document order; <pre> is taken whole because its whitespace is its meaning.
  const token = /<pre\b[^>]*>([\s\S]*?)<\/pre\s*>|<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|([^<]+|<)/g;
  let heading: { level: number; parts: string[] } | null = null;
  for (let m = token.exec(s); m !== null; m = token.exec(s)) {
    const [, pre, closing, rawName, text] = m;
    if (pre !== undefined) {
      const body = decodeEntities(pre.replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]*>/g, ''));
      preBlocks.push(body.replace(/^\n+|\s+$/g, ''));
      out.push(`\n\n\u0000${preBlocks.length - 1}\u0000\n\n`);
      continue;
    }
    if (text !== undefined) {
      const t = collapse(decodeEntities(text));
      if (heading) heading.parts.push(t);
      else out.push(t);
      continue;
    }
    const name = rawName.toLowerCase();
    const level = /^h([1-6])$/.exec(name);
    if (level) {
      if (!closing) heading = { level: Number(level[1]), parts: [] };
      else if (heading) {
        const title = heading.parts.join('').trim();
        if (title) out.push('\n\n', '#'.repeat(heading.level), ' ', title, '\n\n');
        heading = null;
      }
    } else if (heading) {
      heading.parts.push(' ');
    } else if (name === 'br') {
      out.push('\n');
    } else if (name === 'li') {
      // Items of one list stay on consecutive lines; the list as a whole is a block.
      if (!closing) out.push('\n- ');
    } else if (name === 'td' || name === 'th') {
      out.push(' ');
    } else if (BLOCK.has(name)) {
      out.push('\n\n');
    }
  }
  return out
    .join('')
    .replace(/ {2,}/g, ' ')
    .replace(/[ \t]*\n[ \t]*/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => preBlocks[Number(i)]);
}
