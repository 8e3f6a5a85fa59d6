import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  checkIpcSender,
  contentSecurityPolicy,
  isBlockedRequest,
  isSameOrigin,
  originOf,
  parseInvokeArgs,
  securityHeaders,
  unauthorizedSender,
} from './policy.js';

function directives(csp: string): Map<string, string> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
}

describe('content security policy', () => {
  it("allows scripts only from 'self': no inline script, no eval, no remote origin", () => {
    const csp = directives(contentSecurityPolicy());
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('img-src')).toBe("'self' data:");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-eval|\*|https?:/);
  });

  it('adds the browser host WebSocket origin to connect-src only', () => {
    const csp = directives(contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:4321'] }));
    expect(csp.get('connect-src')).toBe("'self' ws://127.0.0.1:4321");
    expect(csp.get('script-src')).toBe("'self'");
  });

  it('goes out with nosniff, no framing and no referrer (the token is in the page URL)', () => {
    const headers = securityHeaders('x');
    expect(headers['Content-Security-Policy']).toBe('x');
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['X-Frame-Options']).toBe('DENY');
    expect(headers['Referrer-Policy']).toBe('no-referrer');
  });
});

describe('navigation origin check', () => {
  it('accepts our own origin, any path', () => {
    expect(isSameOrigin('app://cockpit/', APP_ORIGIN)).toBe(true);
    expect(isSameOrigin('app://cockpit/index.html?x=1#y', APP_ORIGIN)).toBe(true);
    expect(isSameOrigin('http://127.0.0.1:5000/x', 'http://127.0.0.1:5000')).toBe(true);
  });

  it('refuses other hosts, schemes, ports and lookalikes', () => {
    for (const url of [
      'app://evil/',
      'app://cockpit.evil.com/',
      'app://cockpit@evil/',
      'evil://cockpit/',
      'https://cockpit/',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'javascript:alert(1)',
      'about:blank',
      'blob:null/1234',
      'not a url',
      '',
    ]) {
      expect(isSameOrigin(url, APP_ORIGIN), url).toBe(false);
    }
    expect(isSameOrigin('http://127.0.0.1:5001/', 'http://127.0.0.1:5000')).toBe(false);
    expect(isSameOrigin('http://localhost:5000/', 'http://127.0.0.1:5000')).toBe(false);
  });

  it('never treats two opaque origins as equal (WHATWG reports "null" for non-special schemes)', () => {
    expect(new URL('evil://x/').origin).toBe('null');
    expect(originOf('data:text/plain,hi')).toBeNull();
    expect(isSameOrigin('data:text/plain,hi', 'null')).toBe(false);
    expect(originOf('app://cockpit/a/b')).toBe(APP_ORIGIN);
  });
});

describe('request filter of the Electron window', () => {
  it('blocks every network and disk request, lets the window, data: images and devtools through', () => {
    for (const url of [
      'https://evil.example/x.js',
      'http://127.0.0.1:8080/',
      'ws://127.0.0.1:1/ws',
      'wss://x/',
      'file:///etc/passwd',
      'ftp://x/',
      '::',
    ]) {
      expect(isBlockedRequest(url), url).toBe(true);
    }
    for (const url of ['app://cockpit/assets/a.js', 'data:image/png;base64,AA==', 'devtools://devtools/x']) {
      expect(isBlockedRequest(url), url).toBe(false);
    }
  });
});

describe('IPC sender check', () => {
  const ours = { fromOurWindow: true, isMainFrame: true, frameUrl: 'app://cockpit/' };

  it('accepts the main frame of our window on our origin', () => {
    expect(checkIpcSender(ours, APP_ORIGIN)).toEqual({ ok: true });
  });

  it('refuses another window, a subframe, a destroyed frame and a foreign origin, saying why', () => {
    expect(checkIpcSender({ ...ours, fromOurWindow: false }, APP_ORIGIN)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('window'),
    });
    expect(checkIpcSender({ ...ours, isMainFrame: false }, APP_ORIGIN)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('main frame'),
    });
    expect(checkIpcSender({ ...ours, frameUrl: null }, APP_ORIGIN)).toMatchObject({ ok: false });
    expect(checkIpcSender({ ...ours, frameUrl: 'https://evil.example/' }, APP_ORIGIN)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('https://evil.example'),
    });
    expect(checkIpcSender({ ...ours, frameUrl: 'file:///tmp/x.html' }, APP_ORIGIN)).toMatchObject({
      ok: false,
    });
  });

  it('turns a refusal into a typed UNAUTHORIZED failure', () => {
    expect(unauthorizedSender('sender is not the main frame')).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'request refused: sender is not the main frame' },
    });
  });
});

describe('invoke arguments', () => {
  it('passes a command name and a plain request object', () => {
    expect(parseInvokeArgs('snapshot', {})).toEqual({ ok: true, name: 'snapshot', request: {} });
  });

  it('refuses a missing or overlong name and a non-object request with a typed failure naming the field', () => {
    expect(parseInvokeArgs(undefined, {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', field: 'name' },
    });
    expect(parseInvokeArgs('x'.repeat(65), {})).toMatchObject({ ok: false, error: { field: 'name' } });
    for (const request of [null, 42, 'text', [1, 2]]) {
      expect(parseInvokeArgs('snapshot', request)).toMatchObject({ ok: false, error: { field: 'request' } });
    }
  });

  it('refuses a request larger than a browser-host frame, as the WebSocket does', () => {
    expect(parseInvokeArgs('intent.submit', { reason: 'x'.repeat(70_000) })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', field: 'request', message: expect.stringContaining('byte limit') },
    });
    expect(parseInvokeArgs('intent.submit', { reason: 'x'.repeat(1_000) })).toMatchObject({ ok: true });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const request of [{ size: 1n }, cyclic]) {
      expect(parseInvokeArgs('intent.submit', request)).toMatchObject({
        ok: false,
        error: { field: 'request' },
      });
    }
  });
});
