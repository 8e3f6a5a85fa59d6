// Trading on a real exchange's testnet through ccxt: which exchange a session
// trades on, and what the host can offer. Credentials stay in the host (its
// environment); nothing here carries them.
import { z } from 'zod';

/** A ccxt exchange id: `binanceusdm`, `bybit`, `okx`. */
export const ExchangeId = z
  .string()
  .max(32)
  .regex(/^[a-z][a-z0-9]{1,31}$/, 'must be a ccxt exchange id like binanceusdm');
export type ExchangeId = z.infer<typeof ExchangeId>;

/** The exchange a session traded on. Only testnets (ccxt's sandbox mode) for now. */
export const SessionExchange = z.object({
  id: ExchangeId,
  name: z.string(),
  testnet: z.literal(true),
});
export type SessionExchange = z.infer<typeof SessionExchange>;

/** An exchange the host holds credentials for; `problem` says why a session cannot trade on it. */
export interface ExchangeListing {
  id: string;
  name: string;
  problem?: string;
}

/** The name of any exchange credential's variable (`credentialVariables`): kept away from windows and children. */
export const CREDENTIAL_VARIABLE = /^COCKPIT_[A-Z0-9]+_(?:API_KEY|SECRET|PASSWORD)$/;

/** The environment variables the host reads an exchange's credentials from. */
export function credentialVariables(id: string): { apiKey: string; secret: string; password: string } {
  const stem = `COCKPIT_${id.toUpperCase()}`;
  return { apiKey: `${stem}_API_KEY`, secret: `${stem}_SECRET`, password: `${stem}_PASSWORD` };
}
