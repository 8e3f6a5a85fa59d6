// The host's public shape: the same as `window.cockpit`, plus `close`. The
// Electron main process and the browser host both wrap exactly this.
import type { CockpitEvent } from '../../shared/index.js';
import type { ExchangeAccess } from './session/exchange-session.js';

export interface CockpitHost {
  /** Validates `request` against the command map and runs it; never throws for bad input. */
  invoke(name: string, request: unknown): Promise<unknown>;
  /** Delivers batches of events in order; returns the unsubscribe function. */
  subscribe(handler: (batch: CockpitEvent[]) => void): () => void;
  /** Stops the session (if any), flushes and closes the journal. */
  close(): Promise<void>;
}

export interface CockpitOptions {
  /** Folder holding the profile's journal (`<dataDir>/<profile>.sqlite`). */
  dataDir: string;
  /** Folder of the CSV price files a paper session can replay; `<dataDir>/feeds` by default. */
  feedsDir?: string;
  /** Profile name; one SQLite journal file per profile. */
  profile?: string;
  /** Wall clock in epoch ms; injected so tests can drive time. */
  now?: () => number;
  /** Where the host reports what it refused (bad frames, wrong tokens) and failures. */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Where exchange credentials come from and how an exchange is made: the process's environment and ccxt's testnets by default. */
  exchanges?: ExchangeAccess;
  /** better-sqlite3's addon built for another ABI (the Electron app's); Node's build otherwise. */
  sqliteNativeBinding?: string;
}
