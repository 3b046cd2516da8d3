// The playground page: presets on top, the config sidebar on the left, run controls, charts and
// completions in the middle, the runs list on the right. Training happens in a Web Worker.

import { useEffect } from 'react';
import { Charts } from './charts/Charts';
import { Completions } from './components/Completions';
import { Presets } from './components/Presets';
import { Banners, RunControls, StatusBar } from './components/RunControls';
import { Sidebar } from './components/Sidebar';
import { ComparePanel } from './groups/ComparePanel';
import { DiagnosticsList } from './groups/DiagnosticsList';
import { GroupControls } from './groups/GroupControls';
import { GroupsPanel } from './groups/GroupsPanel';
import './groups/groups.css';
import { RunsPanel } from './runs/RunsPanel';
import { useStore } from './store';
import { UrlSync } from './url/UrlSync';

export function App() {
  const probe = useStore((s) => s.probe);
  const hidePresets = useStore((s) => s.hiddenControls.includes('presets'));
  useEffect(probe, [probe]);
  return (
    <div className="app">
      <a className="skip-link" href="#run-controls">
        Skip to the run controls
      </a>
      <header className="topbar">
        <h1>GRPO Playground</h1>
        <p>
          Train a small transformer with GRPO-style reinforcement learning on your GPU, in this tab, and watch what a
          reward design does to entropy, response length and accuracy. Pick a preset, press <strong>Start</strong>.
        </p>
        <UrlSync />
      </header>
      {!hidePresets && <Presets />}
      <div className="layout">
        <Sidebar />
        <main className="main">
          <div className="controls-row">
            <RunControls />
            <GroupControls />
            <StatusBar />
          </div>
          <Banners />
          <DiagnosticsList />
          <Charts />
          <ComparePanel />
          <Completions />
        </main>
        <aside className="panel runs-column">
          <GroupsPanel />
          <RunsPanel />
        </aside>
      </div>
    </div>
  );
}
