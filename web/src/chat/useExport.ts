import { useState } from 'preact/hooks';
import { ExportDocument, ExportFormat } from '../../../src/contract/operations.generated';
import { download, type Api } from '../shared/api';

const EXPORT_TYPES: Record<ExportFormat, readonly [extension: string, type: string]> = {
  JSON: ['json', 'application/json'],
  MARKDOWN: ['md', 'text/markdown'],
  CSV: ['csv', 'text/csv'],
};

/** The user's own conversations as a file, in the format they chose. */
export function useExport(api: Api | null, fail: (e: unknown) => void) {
  const [format, setFormat] = useState<ExportFormat>(ExportFormat.Json);

  async function exportAll() {
    if (!api) return;
    try {
      const data = await api.request(ExportDocument, { format });
      const [extension, type] = EXPORT_TYPES[format];
      download(`askdesk-conversations-${new Date().toISOString().slice(0, 10)}.${extension}`, data.exportConversations, `${type};charset=utf-8`);
    } catch (e) {
      fail(e);
    }
  }

  return { format, setFormat, exportAll };
}
