import { beforeEach, describe, expect, it } from 'vitest';
import { initialData } from './apply.js';
import { useCockpit } from './store.js';

const session = () => useCockpit.getState().session;

describe('connection state in the store', () => {
  beforeEach(() => useCockpit.setState({ session: initialData().session }));

  it('stamps the moment an open connection was lost, and keeps it through the retries', () => {
    const { setConnection } = useCockpit.getState();
    setConnection('closed', 5);
    expect(session()).toMatchObject({ everOpen: false, lostAt: null });
    setConnection('open', 10);
    expect(session()).toMatchObject({ connection: 'open', everOpen: true, lostAt: null });
    setConnection('closed', 20);
    setConnection('connecting', 30);
    setConnection('closed', 40);
    expect(session()).toMatchObject({ connection: 'closed', everOpen: true, lostAt: 20 });
    setConnection('open', 50);
    expect(session().lostAt).toBeNull();
  });

  it('holds what is known about a failing host until it is cleared', () => {
    const { setHostProblem } = useCockpit.getState();
    setHostProblem('restarted');
    expect(session().hostProblem).toBe('restarted');
    setHostProblem(null);
    expect(session().hostProblem).toBeNull();
  });
});
