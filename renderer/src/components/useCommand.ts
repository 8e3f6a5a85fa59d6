// One way for a form to send a command: a refusal by the window's own check
// (the same shared schema the host uses) and a refusal by the host are shown alike.
import { useState } from 'react';
import type { Failure } from '../../../shared/index.js';
import type { Checked } from '../lib/ticket.js';
import { useCockpit } from '../store/store.js';

export function useCommand(name: string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const notify = useCockpit((s) => s.notify);

  /** Sends the checked request unless the check refused it; resolves with the host's answer, or null if nothing was sent. */
  async function run<Request, Answer extends { ok: true } | Failure>(
    checked: Checked<Request>,
    send: (request: Request) => Promise<Answer>,
  ): Promise<Answer | null> {
    if (!checked.ok) {
      setError(checked.error.message);
      notify({ level: 'error', code: checked.error.code, message: `${name}: ${checked.error.message}` });
      return null;
    }
    setBusy(true);
    setError(null);
    const answer = await send(checked.request);
    setBusy(false);
    if (!answer.ok) setError(answer.error.message);
    return answer;
  }

  return { busy, error, run };
}
