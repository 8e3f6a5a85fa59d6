import { AccountPanel } from './components/AccountPanel.js';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { InterruptedSessions } from './components/InterruptedSessions.js';
import { LineagePanel } from './components/LineagePanel.js';
import { Notices } from './components/Notices.js';
import { PnlChart } from './components/PnlChart.js';
import { SessionBar } from './components/SessionBar.js';
import { SupervisorPanel } from './components/SupervisorPanel.js';
import { OrdersTable, SlotsTable, TradesTable } from './components/Tables.js';
import { Ticket } from './components/Ticket.js';
import { useLinkView } from './components/useOnline.js';

export function App() {
  // While the connection is lost, the figures are greyed: they stopped, they only look live.
  const { stale } = useLinkView();
  return (
    <div className="app">
      <SessionBar />
      <ConnectionBanner />
      <InterruptedSessions />
      <main className={`workspace ${stale ? 'stale' : ''}`} data-stale={stale}>
        <aside className="col-left">
          <Ticket />
          <AccountPanel />
          <Notices />
        </aside>
        <section className="col-centre">
          <SupervisorPanel />
          <SlotsTable />
          <OrdersTable />
          <TradesTable />
        </section>
        <aside className="col-right">
          <LineagePanel />
        </aside>
        <section className="row-bottom">
          <PnlChart />
        </section>
      </main>
    </div>
  );
}
