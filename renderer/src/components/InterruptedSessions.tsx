// Under the top bar, whether or not a session runs: the exchange sessions the
// host stopped running without a stop (a crash). Their positions and orders may
// still be live on the exchange, so each waits for the operator: Resume runs it
// again and compares the exchange with the kernel; Abandon (two clicks, as the
// kill switch) closes it and leaves whatever it holds on the exchange.
import { abandonSession, resumeSession } from '../actions.js';
import {
  interruptedSessions,
  interruptedWords,
  refusalWords,
  type InterruptedSession,
} from '../lib/interrupted.js';
import { isRunning } from '../store/apply.js';
import { useCockpit } from '../store/store.js';
import { useCommand } from './useCommand.js';
import { useConfirm } from './useConfirm.js';
import { OFFLINE_TITLE, useOnline } from './useOnline.js';

/** One session runs at a time: a resume would be refused. */
const RESUME_BLOCKED = 'a session is running: stop it first to resume this one';
/** A resume reads the exchange's fills, orders and positions before the session runs: it may take seconds. */
const RESUMING_TITLE = "resuming: the exchange's fills, orders and positions are being read";
const RESUME_TITLE = 'run it again from its last checkpoint, after comparing the exchange with the kernel';
const ABANDON_TITLE = 'close it as ABANDONED: whatever it left on the exchange stays there';
const ARMED_TITLE = 'click again within a few seconds to abandon it';

export function InterruptedSessions() {
  const sessions = useCockpit((s) => s.session.sessions);
  const running = useCockpit((s) => isRunning(s.session.current));
  const online = useOnline();
  const interrupted = interruptedSessions(sessions);
  if (interrupted.length === 0) return null;
  return (
    <section className="interrupted" data-testid="interrupted-sessions" aria-label="interrupted sessions">
      {interrupted.map((info) => (
        <InterruptedRow key={info.sessionId} info={info} running={running} online={online} />
      ))}
    </section>
  );
}

function InterruptedRow({
  info,
  running,
  online,
}: {
  info: InterruptedSession;
  running: boolean;
  online: boolean;
}) {
  const { sessionId } = info;
  // A "session is running" refusal is not shown once that has changed.
  const scope = String(running);
  const resume = useCommand('session.resume', { scope, explain: (e) => refusalWords('resume', e) });
  const abandon = useCommand('session.abandon', { scope, explain: (e) => refusalWords('abandon', e) });
  const confirm = useConfirm(() => void abandon.run({ ok: true, request: sessionId }, abandonSession));
  const busy = resume.busy || abandon.busy;
  const error = resume.error ?? abandon.error;
  const resumeWhy = online ? (running ? RESUME_BLOCKED : undefined) : OFFLINE_TITLE;
  const words = interruptedWords(info);

  return (
    <div className="interrupted-row" data-testid={`interrupted-session-${sessionId}`} aria-busy={busy}>
      <span className="interrupted-words" title={words}>
        {words}
      </span>
      <button
        type="button"
        className="btn btn-row btn-go"
        data-testid="interrupted-resume"
        disabled={busy || resumeWhy !== undefined}
        title={resumeWhy ?? (resume.busy ? RESUMING_TITLE : RESUME_TITLE)}
        onClick={() => void resume.run({ ok: true, request: sessionId }, resumeSession)}
      >
        {resume.busy ? 'Resuming…' : 'Resume'}
      </button>
      <button
        type="button"
        className={`btn btn-row btn-stop btn-abandon ${confirm.armed ? 'is-armed' : ''}`}
        data-testid="interrupted-abandon"
        disabled={busy || !online}
        title={online ? (confirm.armed ? ARMED_TITLE : ABANDON_TITLE) : OFFLINE_TITLE}
        onClick={confirm.click}
      >
        {abandon.busy ? 'Abandoning…' : confirm.armed ? 'Abandon — sure?' : 'Abandon'}
      </button>
      {error ? (
        <span className="interrupted-error" role="alert" title={error}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
