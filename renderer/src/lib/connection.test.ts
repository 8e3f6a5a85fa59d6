import { describe, expect, it } from 'vitest';
import { clock } from './format.js';
import { isOnline, linkView, type LinkState } from './connection.js';

const link = (over: Partial<LinkState> = {}): LinkState => ({
  connection: 'open',
  everOpen: true,
  lostAt: null,
  hostProblem: null,
  ...over,
});

describe('the connection, as the window tells it', () => {
  it('says nothing while connected, in the browser or in Electron', () => {
    expect(linkView(link())).toEqual({ online: true, stale: false, status: null, banner: null });
    expect(linkView(link({ connection: 'native' })).online).toBe(true);
    expect(isOnline('connecting')).toBe(false);
  });

  it('is only connecting before it was ever open: nothing is stale yet', () => {
    const view = linkView(link({ connection: 'connecting', everOpen: false }));
    expect(view).toMatchObject({ online: false, stale: false, status: 'connecting…', banner: null });
  });

  it('once lost: stale, commands off, a warning that says since when', () => {
    const lostAt = Date.UTC(2026, 0, 1, 12, 0, 0);
    for (const connection of ['closed', 'connecting'] as const) {
      const view = linkView(link({ connection, lostAt }));
      expect(view.online).toBe(false);
      expect(view.stale).toBe(true);
      expect(view.status).toBe('connection lost — reconnecting…');
      expect(view.banner?.level).toBe('warning');
      expect(view.banner?.title).toContain('reconnecting');
      expect(view.banner?.detail).toContain(clock(lostAt));
      expect(view.banner?.detail).toContain('commands are disabled');
    }
  });

  it('hints at a new address when the host has not answered for a while', () => {
    const view = linkView(link({ connection: 'closed', lostAt: 1, hostProblem: 'unreachable' }));
    expect(view.banner?.level).toBe('warning');
    expect(view.banner?.detail).toContain('http://127.0.0.1:PORT/?token=');
    const never = linkView(link({ connection: 'closed', everOpen: false, hostProblem: 'unreachable' }));
    expect(never.banner?.title).toContain('Cannot reach the host');
  });

  it('says to open the printed address when the window has no token to connect with', () => {
    const view = linkView(link({ connection: 'closed', everOpen: false, hostProblem: 'no-token' }));
    expect(view).toMatchObject({
      online: false,
      stale: false,
      status: 'no token — open the printed address',
    });
    expect(view.banner?.level).toBe('error');
    expect(view.banner?.title).toContain('no token');
    expect(view.banner?.detail).toContain('Cockpit: http://127.0.0.1:PORT/?token=');
  });

  it('says to reload from the new address once the host refuses the old token', () => {
    const view = linkView(link({ connection: 'closed', lostAt: 1, hostProblem: 'restarted' }));
    expect(view.online).toBe(false);
    expect(view.status).toBe('host restarted — reload the window');
    expect(view.banner?.level).toBe('error');
    expect(view.banner?.title).toContain('restarted');
    expect(view.banner?.title).toContain('reload');
    expect(view.banner?.detail).toContain('Cockpit: http://127.0.0.1:PORT/?token=');
  });
});
