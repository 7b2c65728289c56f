import fs from 'node:fs';
import path from 'node:path';

/** The file kinds a knowledge base takes, by extension. */
export const MIME_BY_EXTENSION: Record<string, string> = {
  '.md': 'text/markdown', '.markdown': 'text/markdown', '.txt': 'text/plain', '.html': 'text/html', '.htm': 'text/html',
};

/** Every .md/.txt/.html file under a folder, in a stable (sorted) order. */
export function* documentFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* documentFiles(full);
    else if (MIME_BY_EXTENSION[path.extname(entry.name).toLowerCase()]) yield full;
  }
}

/** A document read from a file: title from the first Markdown heading or HTML <title>, else the file name. */
export function readDocument(file: string): { title: string; content: string; mimeType: string } {
  const content = fs.readFileSync(file, 'utf8');
  const head = content.slice(0, 4000);
  const found = /^#\s+(.+)$/m.exec(head)?.[1] ?? /<title>([^<]+)<\/title>/i.exec(head)?.[1];
  return {
    title: (found ?? path.basename(file, path.extname(file))).trim().slice(0, 500),
    content,
    mimeType: MIME_BY_EXTENSION[path.extname(file).toLowerCase()],
  };
}
