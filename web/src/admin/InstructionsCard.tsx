import { useState } from 'preact/hooks';
import { SetAssistantInstructionsDocument } from '../../../src/contract/operations.generated';
import { Card } from '../shared/ui';
import type { ConsoleProps, Tenant } from './types';

/** The tenant's own instructions to the assistant: what Claude follows after the fixed rules (tone, contacts). */
export function InstructionsCard({ api, fail, notify, tenant, onChange }: ConsoleProps & { tenant: Tenant; onChange(tenant: Tenant): void }) {
  const [text, setText] = useState(tenant.assistantInstructions ?? '');
  const [saving, setSaving] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    setSaving(true);
    try {
      const data = await api.request(SetAssistantInstructionsDocument, { tenantId: tenant.id, instructions: text.trim() || null });
      onChange(data.setAssistantInstructions);
      notify(text.trim() ? 'Assistant instructions saved.' : 'Assistant instructions cleared.');
    } catch (e) {
      fail(e);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Card title="Assistant instructions">
      <p class="muted small">Followed after the fixed rules when Claude writes answers (not by the offline answerer): tone, who to call, what to add.</p>
      <form class="stack curated-form" onSubmit={save}>
        <textarea data-testid="assistant-instructions" aria-label="Assistant instructions" rows={4} maxLength={2000} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <div class="row">
          <button type="submit" data-testid="assistant-instructions-save" disabled={saving}>
            {saving ? 'Saving…' : 'Save instructions'}
          </button>
        </div>
      </form>
    </Card>
  );
}
