// One way for a form to send a command: a refusal by the window's own check
// (the same shared schema the host uses) and a refusal by the host are shown alike.
import { useState } from 'react';
import type { CommandError, CommandName, Failure } from '../../../shared/index.js';
import { failureText } from '../lib/outcome.js';
import type { Checked } from '../lib/ticket.js';
import { useCockpit } from '../store/store.js';

export interface CommandOptions {
  /** Words a host refusal the way the form names its fields (see explainError); a lost answer is worded apart. */
  explain?: (error: CommandError) => string;
  /**
   * What a refusal is about (e.g. the session id): a refusal is shown only
   * while the scope is the one it was given in, so "no session is running"
   * goes away once one is.
   */
  scope?: string | null;
}

export function useCommand(name: CommandName, options: CommandOptions = {}) {
  const { explain, scope = null } = options;
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ text: string; scope: string | null } | null>(null);
  const notify = useCockpit((s) => s.notify);
  const error = refusal && refusal.scope === scope ? refusal.text : null;

  /** Sends the checked request unless the check refused it; resolves with the host's answer, or null if nothing was sent. */
  async function run<Request, Answer extends { ok: true } | Failure>(
    checked: Checked<Request>,
    send: (request: Request) => Promise<Answer>,
  ): Promise<Answer | null> {
    if (!checked.ok) {
      setRefusal({ text: checked.error.message, scope });
      notify({ level: 'error', code: checked.error.code, message: `${name}: ${checked.error.message}` });
      return null;
    }
    setBusy(true);
    setRefusal(null);
    const answer = await send(checked.request);
    setBusy(false);
    if (!answer.ok) setRefusal({ text: failureText(name, answer.error, explain), scope });
    return answer;
  }

  return { busy, error, run };
}
