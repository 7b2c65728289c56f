import fs from 'node:fs';
import path from 'node:path';

/** The file kinds a knowledge base takes, by extension. */
export const MIME_BY_EXTENSION: Record<string, string> = {
  '.md': 'text/markdown', '.markdown': 'text/markdown', '.txt': 'text/plain', '.html': 'text/html', '.htm': 'text/html',
};

/** What a walk of a folder left out; counted so the CLI can say so. */
export interface Skipped {
  symlinks: number;
}

/**
 * Every .md/.txt/.html file under a folder, in a stable (sorted) order. Symbolic links, to files or folders, are
 * skipped and counted in `skipped`: a link in a knowledge-base folder can point anywhere the operator's account can
 * read (`faq.md → DATA_DIR/key-pepper`), and whatever it names would become a tenant's answers.
 */
export function* documentFiles(dir: string, skipped: Skipped = { symlinks: 0 }): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) skipped.symlinks++;
    else if (entry.isDirectory()) yield* documentFiles(full, skipped);
    else if (entry.isFile() && MIME_BY_EXTENSION[path.extname(entry.name).toLowerCase()]) yield full;
  }
}

/** The line that tells the operator what was left out, or null when nothing was. */
export function skippedNote(skipped: Skipped): string | null {
  if (skipped.symlinks === 0) return null;
  return `skipped ${skipped.symlinks} symbolic link${skipped.symlinks === 1 ? '' : 's'} (links are not followed)`;
}

/** A document read from a file: title from the first Markdown heading or HTML <title>, else the file name. */
export function readDocument(file: string): { title: string; content: string; mimeType: string } {
  // O_NOFOLLOW: a file swapped for a link after the folder was listed is refused rather than followed.
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  let content: string;
  try {
    content = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const head = content.slice(0, 4000);
  const found = /^#\s+(.+)$/m.exec(head)?.[1] ?? /<title>([^<]+)<\/title>/i.exec(head)?.[1];
  return {
    title: (found ?? path.basename(file, path.extname(file))).trim().slice(0, 500),
    content,
    mimeType: MIME_BY_EXTENSION[path.extname(file).toLowerCase()],
  };
}
