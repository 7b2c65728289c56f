import type { Language, Translate } from '../shared/i18n';
import type { ChatConfig, Quota } from './types';

interface Props {
  config: ChatConfig;
  quota: Quota | null;
  language: Language;
  t: Translate;
  onSwitchLanguage(): void;
  /** Absent when the host page supplies the key (nothing to change). */
  onChangeKey?: () => void;
}

/** The chat's top bar: the organisation's name and logo, the questions left, the language switch. */
export function ChatHeader({ config, quota, language, t, onSwitchLanguage, onChangeKey }: Props) {
  return (
    <header class="ad-header">
      <div class="ad-brand">
        {config.logoUrl ? <img class="ad-logo" src={config.logoUrl} alt="" /> : <span class="ad-logo ad-logo-default" aria-hidden="true" />}
        <div>
          <h1 class="ad-name">{config.name || 'AskDesk'}</h1>
          <p class="ad-subtitle">{t('chat.title')}</p>
        </div>
      </div>
      <div class="ad-header-tools">
        {quota && (
          <p class="ad-quota" title={quota.limit ? `${quota.used} / ${quota.limit}` : undefined}>
            {quota.remaining === null ? (
              <span data-testid="quota">{t('quota.unlimited')}</span>
            ) : (
              <>
                <strong data-testid="quota">{quota.remaining}</strong> <span class="ad-long">{t('quota.left')}</span>
                <span class="ad-short">{t('quota.short')}</span>
              </>
            )}
          </p>
        )}
        <button
          type="button"
          class="ad-lang"
          data-testid="language"
          onClick={onSwitchLanguage}
          aria-label={`${t('language.label')}: ${language === 'fr' ? 'Français' : 'English'} → ${language === 'fr' ? 'English' : 'Français'}`}
          lang={language === 'fr' ? 'en' : 'fr'}
        >
          {language === 'fr' ? 'EN' : 'FR'}
        </button>
        {onChangeKey && (
          <button type="button" class="ad-ghost ad-small ad-change-key" onClick={onChangeKey}>
            {t('key.change')}
          </button>
        )}
      </div>
    </header>
  );
}
