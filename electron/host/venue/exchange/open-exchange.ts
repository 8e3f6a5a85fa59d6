// The one place a ccxt exchange is made: from the host's environment's
// credentials, and always in sandbox mode (the exchange's testnet). A key is
// read here and handed to ccxt; it is never journaled, logged or sent to a
// window.
import ccxt from 'ccxt';
import { credentialVariables, CREDENTIAL_VARIABLE, type ExchangeListing } from '../../../../shared/index.js';
import type { ExchangeClient } from './exchange-client.js';

export interface ExchangeCredentials {
  apiKey: string;
  secret: string;
  /** Some exchanges (OKX, …) also ask for a passphrase. */
  password?: string;
}

/** Makes the client of exchange `id` on its testnet; throws when ccxt has no such exchange or no testnet for it. */
export type ExchangeFactory = (id: string, credentials: ExchangeCredentials) => ExchangeClient;

/**
 * The exchanges whose ccxt code this venue was checked against: how each takes a client order id, reduce-only,
 * a lookup by client order id, a trades query from a time (ascending, pages of up to 1 000) and the wallet.
 * Others differ on exactly these (Bybit's order lookup, OKX's id alphabet and contract sizes, newest-first
 * trade pages), so they are listed with that problem until checked.
 */
export const CHECKED_EXCHANGES: readonly string[] = ['binanceusdm'];

/** The unified methods a session needs of an exchange. */
const NEEDED = [
  'createOrder',
  'cancelOrder',
  'fetchOrder',
  'fetchOpenOrders',
  'fetchMyTrades',
  'fetchPositions',
  'fetchBalance',
  'fetchTickers',
] as const;

type Environment = Readonly<Record<string, string | undefined>>;

export function credentialsOf(env: Environment, id: string): ExchangeCredentials | undefined {
  const names = credentialVariables(id);
  const apiKey = env[names.apiKey];
  const secret = env[names.secret];
  if (!apiKey || !secret) return undefined;
  const password = env[names.password];
  return { apiKey, secret, ...(password ? { password } : {}) };
}

/**
 * Moves every exchange credential (`COCKPIT_<ID>_API_KEY`, `_SECRET`, `_PASSWORD`) out of `env` into the
 * object returned. A shell calls it on `process.env` before any window exists: Electron copies the main
 * process's environment into each sandboxed window's preload, and a child process inherits it.
 */
export function takeCredentials(env: Record<string, string | undefined>): Record<string, string> {
  const taken: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!CREDENTIAL_VARIABLE.test(name)) continue;
    if (value !== undefined) taken[name] = value;
    delete env[name];
  }
  return taken;
}

/** The exchanges the environment holds credentials for, by the variables' names. */
export function configuredExchangeIds(env: Environment): string[] {
  const ids: string[] = [];
  for (const name of Object.keys(env)) {
    const match = /^COCKPIT_([A-Z][A-Z0-9]{1,31})_API_KEY$/.exec(name);
    const id = match?.[1]?.toLowerCase();
    if (id && credentialsOf(env, id)) ids.push(id);
  }
  return ids.sort();
}

type CcxtInstance = ExchangeClient & { urls: { test?: unknown }; setSandboxMode(on: boolean): void };

export const openTestnet: ExchangeFactory = (id, credentials) => {
  if (!(ccxt.exchanges as string[]).includes(id)) throw new Error(`ccxt has no exchange ${id}`);
  const Exchange = (ccxt as unknown as Record<string, new (config: object) => CcxtInstance>)[id] as new (
    config: object,
  ) => CcxtInstance;
  const exchange = new Exchange({ ...credentials, enableRateLimit: true });
  // Some of ccxt's exchanges name a testnet without its address, and sandbox mode then leaves them without
  // any: only an exchange with a testnet's addresses is made, and never one on its live addresses.
  if (!addresses(exchange.urls.test)) throw new Error(`ccxt gives ${id} no testnet (sandbox) address`);
  if (!CHECKED_EXCHANGES.includes(id)) {
    throw new Error(`the ccxt venue is checked against ${CHECKED_EXCHANGES.join(', ')} only, not yet ${id}`);
  }
  exchange.setSandboxMode(true);
  return exchange;
};

/** Whether `urls` is an address, or a non-empty tree of them. */
function addresses(urls: unknown): boolean {
  if (typeof urls === 'string') return /^(?:https|wss):\/\//.test(urls);
  if (urls === null || typeof urls !== 'object') return false;
  const values = Object.values(urls);
  return values.length > 0 && values.every(addresses);
}

/** Why a session cannot trade on `exchange`, or undefined when it can. */
export function missingFeatures(exchange: ExchangeClient): string | undefined {
  const missing = NEEDED.filter((method) => !exchange.has[method]);
  return missing.length > 0 ? `ccxt's ${exchange.id} lacks ${missing.join(', ')}` : undefined;
}

/** Each exchange the environment has credentials for, and what stops a session on it. */
export function listExchanges(env: Environment, open: ExchangeFactory): ExchangeListing[] {
  return configuredExchangeIds(env).map((id) => {
    try {
      const exchange = open(id, credentialsOf(env, id) as ExchangeCredentials);
      const problem = missingFeatures(exchange);
      return { id, name: exchange.name ?? id, ...(problem ? { problem } : {}) };
    } catch (error) {
      return { id, name: id, problem: error instanceof Error ? error.message : String(error) };
    }
  });
}
