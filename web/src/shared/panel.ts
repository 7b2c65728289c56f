import type { Api } from './api';
import type { PanelTranslate } from './panel-i18n';

/** What every panel of the console and the dashboard gets: the API with its key, where to report, and its words. */
export interface PanelProps {
  api: Api;
  fail(error: unknown): void;
  notify(message: string): void;
  t: PanelTranslate;
}

/**
 * The tenant a panel works on, as operations take it: the console names it; the dashboard's secret key leaves it out
 * (null), and the server uses the key's own tenant.
 */
export type TenantArg = string | null;
