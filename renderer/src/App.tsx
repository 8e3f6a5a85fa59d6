import { AccountPanel } from './components/AccountPanel.js';
import { LineagePanel } from './components/LineagePanel.js';
import { Notices } from './components/Notices.js';
import { PnlChart } from './components/PnlChart.js';
import { SessionBar } from './components/SessionBar.js';
import { OrdersTable, SlotsTable, TradesTable } from './components/Tables.js';
import { Ticket } from './components/Ticket.js';

export function App() {
  return (
    <div className="app">
      <SessionBar />
      <main className="workspace">
        <aside className="col-left">
          <Ticket />
          <AccountPanel />
          <Notices />
        </aside>
        <section className="col-centre">
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
