// A window's connection to the host, passed through with one change to what the host says: for a state the
// paper venue cannot reach. It is honest (it never fills an order after its cancel), so no late fill ever
// leaves an orphan position in it; the kernel makes one of a late entry fill with no free slot (KERNEL.md,
// *Orphan positions*), and the host then lists an open trade that no slot holds.
import type { Page } from 'playwright-core';
import type { Snapshot, TradeSummary } from '../../shared/index.js';

interface SnapshotLike {
  session: Snapshot['session'];
  slots: unknown[];
  trades: TradeSummary[];
}

function isSnapshot(value: unknown): value is SnapshotLike {
  const snapshot = value as Partial<SnapshotLike> | null;
  return (
    typeof snapshot === 'object' &&
    snapshot !== null &&
    Array.isArray(snapshot.slots) &&
    Array.isArray(snapshot.trades) &&
    'session' in snapshot
  );
}

/**
 * Routes the page's WebSocket to the host and adds `trade(session)` to the blotter of every snapshot of a
 * running session the host sends it: as an answer to `snapshot` and as a `snapshot` event. Everything else
 * passes as sent. Takes effect from the page's next connection (a reload).
 */
export async function addTradeToSnapshots(
  page: Page,
  trade: (session: NonNullable<Snapshot['session']>) => TradeSummary,
): Promise<void> {
  const add = (snapshot: unknown) => {
    if (!isSnapshot(snapshot) || !snapshot.session || snapshot.session.stoppedAt !== undefined) return;
    const added = trade(snapshot.session);
    snapshot.trades = [...snapshot.trades.filter((t) => t.tradeId !== added.tradeId), added];
  };
  await page.routeWebSocket(
    (url) => url.pathname === '/ws',
    (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        const frame = JSON.parse(String(message)) as {
          kind: string;
          response?: unknown;
          batch?: { type: string; snapshot?: unknown }[];
        };
        if (frame.kind === 'response') add(frame.response);
        for (const event of frame.kind === 'events' ? (frame.batch ?? []) : []) {
          if (event.type === 'snapshot') add(event.snapshot);
        }
        ws.send(JSON.stringify(frame));
      });
    },
  );
}
