// The real ccxt library: an exchange is made on its testnet or not at all.
import { NetworkError } from 'ccxt';
import { expect, it } from 'vitest';
import {
  configuredExchangeIds,
  credentialsOf,
  missingFeatures,
  openTestnet,
  takeCredentials,
} from './open-exchange.js';

it('makes a ccxt exchange whose every request goes to its testnet, with the credentials given', async () => {
  const exchange = openTestnet('binanceusdm', { apiKey: 'key', secret: 'secret' });
  const urls: string[] = [];
  // ccxt's own transport, replaced: nothing leaves this machine, and the address it would use is seen.
  (exchange as unknown as { fetch: (url: string) => Promise<never> }).fetch = async (url) => {
    urls.push(url);
    throw new NetworkError('offline');
  };
  await expect(exchange.loadMarkets()).rejects.toBeInstanceOf(NetworkError);
  expect(urls).toEqual(['https://testnet.binancefuture.com/fapi/v1/exchangeInfo']);
  expect(missingFeatures(exchange)).toBeUndefined();
  expect(exchange).toMatchObject({ apiKey: 'key', secret: 'secret' });
});

it('refuses an exchange ccxt has no testnet for, and one it does not know, instead of trading live', () => {
  expect(() => openTestnet('kraken', { apiKey: 'k', secret: 's' })).toThrow(
    'ccxt gives kraken no testnet (sandbox) address',
  );
  expect(() => openTestnet('bybit', { apiKey: 'k', secret: 's' })).toThrow(
    'the ccxt venue is checked against binanceusdm only, not yet bybit',
  );
  expect(() => openTestnet('nosuch', { apiKey: 'k', secret: 's' })).toThrow('ccxt has no exchange nosuch');
  expect(() => openTestnet('__proto__', { apiKey: 'k', secret: 's' })).toThrow(
    'ccxt has no exchange __proto__',
  );
});

it('reads credentials from the environment, both parts or none', () => {
  const env = {
    COCKPIT_BYBIT_API_KEY: 'k',
    COCKPIT_BYBIT_SECRET: 's',
    COCKPIT_OKX_API_KEY: 'k',
    COCKPIT_OKX_SECRET: 's',
    COCKPIT_OKX_PASSWORD: 'p',
    COCKPIT_GATE_API_KEY: 'k',
    COCKPIT_GATE_SECRET: '',
    COCKPIT_B_API_KEY: 'too short an id',
    OTHER_API_KEY: 'x',
  };
  expect(configuredExchangeIds(env)).toEqual(['bybit', 'okx']);
  expect(credentialsOf(env, 'okx')).toEqual({ apiKey: 'k', secret: 's', password: 'p' });
  expect(credentialsOf(env, 'bybit')).toEqual({ apiKey: 'k', secret: 's' });
  expect(credentialsOf(env, 'gate')).toBeUndefined();
});

it('takes every credential variable out of an environment, and nothing else', () => {
  const env: Record<string, string | undefined> = {
    COCKPIT_BINANCEUSDM_API_KEY: 'k',
    COCKPIT_BINANCEUSDM_SECRET: 's',
    COCKPIT_OKX_PASSWORD: 'p',
    COCKPIT_PROFILE: 'desk',
    COCKPIT_API_KEY: 'not an exchange variable',
    PATH: '/bin',
  };
  expect(takeCredentials(env)).toEqual({
    COCKPIT_BINANCEUSDM_API_KEY: 'k',
    COCKPIT_BINANCEUSDM_SECRET: 's',
    COCKPIT_OKX_PASSWORD: 'p',
  });
  expect(env).toEqual({ COCKPIT_PROFILE: 'desk', COCKPIT_API_KEY: 'not an exchange variable', PATH: '/bin' });
  expect(credentialsOf(takeCredentials({ COCKPIT_X1_API_KEY: 'a', COCKPIT_X1_SECRET: 'b' }), 'x1')).toEqual({
    apiKey: 'a',
    secret: 'b',
  });
});
