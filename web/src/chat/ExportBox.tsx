import type { ExportFormat } from '../../../src/contract/operations.generated';
import type { Translate } from '../shared/i18n';
import type { useExport } from './useExport';

/** The format choice and the button that downloads the user's conversations. */
export function ExportBox({ t, exporter, label }: { t: Translate; exporter: ReturnType<typeof useExport>; label?: string }) {
  return (
    <div class="ad-export">
      <label class="ad-small" for="ad-export-format">
        {t('export.format')}
      </label>
      <div class="ad-row">
        <select id="ad-export-format" value={exporter.format} onChange={(e) => exporter.setFormat((e.target as HTMLSelectElement).value as ExportFormat)}>
          <option value="JSON">JSON</option>
          <option value="MARKDOWN">Markdown</option>
          <option value="CSV">CSV</option>
        </select>
        <button type="button" data-testid="export" onClick={exporter.exportAll}>
          {label ?? t('export.label')}
        </button>
      </div>
    </div>
  );
}
