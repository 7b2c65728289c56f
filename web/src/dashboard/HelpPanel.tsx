import { TROUBLESHOOTING } from '../../../src/services/client-package/troubleshooting';
import type { Language } from '../shared/i18n';
import { Card } from '../shared/ui';
import type { Text } from './text';

// `code` in the guide's text (it is Markdown in the README) becomes <code> here; nothing else is interpreted.
function withCode(text: string) {
  return text.split('`').map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part));
}

/** The client package's troubleshooting guide, the same text as its README. */
export function HelpPanel({ text, language }: { text: Text; language: Language }) {
  return (
    <Card title={text('help.title')} id="troubleshooting">
      <p class="muted small">{text('help.intro')}</p>
      <div class="guide">
        {TROUBLESHOOTING[language].map((c) => (
          <details key={c.id} id={`troubleshooting-${c.id}`}>
            <summary>{c.title}</summary>
            <dl>
              <dt>{text('help.shows')}</dt>
              <dd>{withCode(c.shows)}</dd>
              <dt>{text('help.todo')}</dt>
              <dd>{withCode(c.todo)}</dd>
            </dl>
          </details>
        ))}
      </div>
    </Card>
  );
}
