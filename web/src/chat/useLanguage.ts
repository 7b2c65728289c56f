import { useEffect, useMemo, useState } from 'preact/hooks';
import { initialLanguage, translator, type Language } from '../shared/i18n';
import { safeGet, safeSet, sessionStorageOrNull } from './storage';

const LANGUAGE_ITEM = 'askdesk.language';

/** The chat's language (FR/EN): the tab's last choice, else the page's configuration, else the browser's. */
export function useLanguage(configured: string | undefined, ownsDocument: boolean) {
  const [language, setLanguage] = useState<Language>(() => initialLanguage(safeGet(sessionStorageOrNull(), LANGUAGE_ITEM) ?? configured));
  const t = useMemo(() => translator(language), [language]);

  // Only the full page may set <html lang>; the widget is a guest on someone else's page.
  useEffect(() => {
    if (ownsDocument) document.documentElement.lang = language;
  }, [language, ownsDocument]);

  function switchLanguage() {
    const next = language === 'fr' ? 'en' : 'fr';
    safeSet(sessionStorageOrNull(), LANGUAGE_ITEM, next);
    setLanguage(next);
  }

  return { language, t, switchLanguage };
}
