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

/**
 * The first match of `pattern` at or after a position, asked for positions that only grow. The last answer is kept:
 * it holds for every later position up to the match, and "none" holds for good. Without it, every one of thousands
 * of unclosed tags in one page would search the rest of the page again (quadratic: seconds for 100 kB).
 */
function finder(text: string, pattern: RegExp): (from: number) => RegExpExecArray | null {
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  let searchedFrom = -1;
  let found: RegExpExecArray | null = null;
  return (from) => {
    if (searchedFrom < 0 || from < searchedFrom || (found !== null && from > found.index)) {
      re.lastIndex = from;
      found = re.exec(text);
      searchedFrom = from;
    }
    return found;
  };
}

/**
 * Replaces each span from an `open` match to the first `close` match after it with `by`, as `open[\s\S]*?close`
 * would, but in one pass: an opening with no closing after it ends the work, since no later opening has one either.
 */
function replaceSpans(text: string, open: RegExp, close: RegExp, by: string): string {
  const nextOpen = finder(text, open);
  const nextClose = finder(text, close);
  const out: string[] = [];
  let at = 0;
  for (let o = nextOpen(at); o !== null; o = nextOpen(at)) {
    const c = nextClose(o.index + o[0].length);
    if (c === null) break;
    out.push(text.slice(at, o.index), by);
    at = c.index + c[0].length;
  }
  out.push(text.slice(at));
  return out.join('');
}

// A regular expression's \b after a tag name: the next character is not one of [A-Za-z0-9_].
function endsWord(text: string, at: number): boolean {
  return at >= text.length || !/\w/.test(text[at]);
}

const TAG_NAME = /[a-zA-Z][a-zA-Z0-9]*/y;

export function htmlToText(html: string): string {
  // NUL marks the places of <pre> blocks below, so none may come from the page.
  let s = html.replace(/\u0000/g, '');
  s = replaceSpans(s, /<!--/, /-->/, ' ');
  s = replaceSpans(s, /<!\[CDATA\[/, /\]\]>/, ' ');
  for (const tag of DROPPED) {
    s = replaceSpans(s, new RegExp(`<${tag}\\b`, 'i'), new RegExp(`</${tag}\\s*>`, 'i'), ' ');
    // An unclosed script or style would otherwise leak code into the text up to the end of the page: from the
    // first such opening tag that is closed by a '>', the rest of the page goes.
    const open = new RegExp(`<${tag}\\b`, 'i').exec(s);
    if (open && s.indexOf('>', open.index + open[0].length) >= 0) s = `${s.slice(0, open.index)} `;
  }
  s = replaceSpans(s, /<!doctype/i, />/, ' ');

  const out: string[] = [];
  // <pre> bodies wait outside `out` while its whitespace is tidied, then return untouched.
  const preBlocks: string[] = [];
  // Text, tags and <pre> blocks in document order; <pre> is taken whole because its whitespace is its meaning. This
  // reads as /<pre\b[^>]*>([\s\S]*?)<\/pre\s*>|<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|([^<]+|<)/g would, without
  // searching the rest of the page again for every '<' that has no '>' (or <pre> no </pre>) after it.
  const nextGt = finder(s, />/);
  const nextPreEnd = finder(s, /<\/pre\s*>/);
  let heading: { level: number; parts: string[] } | null = null;
  for (let at = 0; at < s.length; ) {
    let pre: string | undefined;
    let closing = false;
    let rawName: string | undefined;
    let text: string | undefined;
    const gtOfPre = s.startsWith('<pre', at) && endsWord(s, at + 4) ? nextGt(at + 4) : null;
    const preEnd = gtOfPre ? nextPreEnd(gtOfPre.index + 1) : null;
    if (gtOfPre && preEnd) {
      pre = s.slice(gtOfPre.index + 1, preEnd.index);
      at = preEnd.index + preEnd[0].length;
    } else if (s[at] === '<') {
      closing = s[at + 1] === '/';
      TAG_NAME.lastIndex = at + (closing ? 2 : 1);
      const name = TAG_NAME.exec(s)?.[0];
      const gt = name && endsWord(s, TAG_NAME.lastIndex) ? nextGt(TAG_NAME.lastIndex) : null;
      if (gt) {
        rawName = name;
        at = gt.index + 1;
      }
    }
    if (pre === undefined && rawName === undefined) {
      // A '<' that opens no tag is text; it joins the text after it, which decodes and collapses the same either way.
      const lt = s.indexOf('<', at + 1);
      const end = lt < 0 ? s.length : lt;
      text = s.slice(at, end);
      at = end;
    }
    if (pre !== undefined) {
      const body = decodeEntities(replaceSpans(pre.replace(/<br\s*\/?>/gi, '\n'), /</, />/, ''));
      preBlocks.push(body.replace(/^\n+/, '').trimEnd());
      out.push(`\n\n\u0000${preBlocks.length - 1}\u0000\n\n`);
      continue;
    }
    if (text !== undefined) {
      const t = collapse(decodeEntities(text));
      if (heading) heading.parts.push(t);
      else out.push(t);
      continue;
    }
    const name = rawName!.toLowerCase();
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
