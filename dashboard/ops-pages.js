// Queues (limits, depth by status, oldest waiting, recent throughput), schedules (pause, resume,
// trigger, backfill), executors (heartbeats, what each runs) and application versions (set latest).
import { useCallback, useEffect, useState } from '/vendor/hooks.mjs';
import { get, post, subscribeChanges } from './api.js';
import { Confirm, WorkflowLink, ago, duration, html, navigate, time } from './ui.js';

function useData(path, live = false) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const load = useCallback(() => get(path).then((d) => { setData(d); setError(null); }, setError), [path]);
  useEffect(() => { load(); }, [path]);
  useEffect(() => {
    if (!live) return undefined;
    let timer;
    return subscribeChanges([], () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  }, [load]);
  return { data, error, load, setError };
}

function limitText(limits) {
  if (!limits) return 'not known to this process';
  const parts = [];
  if (limits.concurrency !== null) parts.push(`global ${limits.concurrency}`);
  if (limits.workerConcurrency !== null) parts.push(`per worker ${limits.workerConcurrency}`);
  if (limits.rateLimit) parts.push(`${limits.rateLimit.limitPerPeriod} per ${limits.rateLimit.periodSec} s`);
  if (limits.partitionConcurrency !== null) parts.push(`per partition ${limits.partitionConcurrency}`);
  return parts.length ? parts.join(' · ') : 'no limits';
}

export function QueuesPage() {
  const { data, error } = useData('/api/queues', true);
  const show = (queue, status) => navigate('/workflows', new URLSearchParams({ queue, status }));
  return html`<section>
    <header class="page-head"><h1>Queues</h1></header>
    ${error && html`<p class="error">${String(error.message)}</p>`}
    <div class="cards" data-testid="queues">
      ${(data?.queues ?? []).map((q) => html`<article class="card" data-testid="queue" data-name=${q.name}>
        <h2 class="mono">${q.name}</h2>
        <p class="muted">${limitText(q.limits)}</p>
        <div class="depth">
          ${['ENQUEUED', 'DELAYED', 'PENDING'].map((s) => html`<button type="button" class="count" onClick=${() => show(q.name, s)}><strong>${q.depth[s]}</strong><span>${s.toLowerCase()}</span></button>`)}
        </div>
        <p>Oldest waiting: ${q.oldestWaiting ? html`<${WorkflowLink} id=${q.oldestWaiting.workflowID} /> (${ago(q.oldestWaiting.createdAt)})` : 'none'}</p>
        <p>Finished in the last ${Math.round(data.throughputWindowMs / 60_000)} min: <strong>${q.completedRecently}</strong></p>
      </article>`)}
    </div>
  </section>`;
}

export function SchedulesPage() {
  const { data, error, load, setError } = useData('/api/schedules');
  const [asking, setAsking] = useState(null);
  const [note, setNote] = useState(null);
  const run = (name, action, body) => post(`/api/schedules/${encodeURIComponent(name)}/${action}`, body).then((r) => { setNote(r.workflowID ? `Started ${r.workflowID}` : r.workflowIDs ? `Enqueued ${r.workflowIDs.length} run(s)` : null); return load(); }, setError);
  const backfill = (name) => {
    const end = new Date();
    const start = new Date(end.getTime() - 24 * 3_600_000);
    setAsking({ message: `Enqueue every run of ${name} due in the last 24 hours that has not run?`, action: 'Backfill', run: () => run(name, 'backfill', { start: start.toISOString(), end: end.toISOString() }) });
  };
  return html`<section>
    <header class="page-head"><h1>Schedules</h1></header>
    ${error && html`<p class="error">${String(error.message)}</p>`}
    ${note && html`<p class="note">${note}</p>`}
    ${data && data.schedules.length === 0 && html`<p class="empty">No schedules in the database (schedules declared with @DBOS.scheduled live in code).</p>`}
    <div class="table-wrap"><table data-testid="schedules">
      <thead><tr><th>Name</th><th>Workflow</th><th>Cron</th><th>Status</th><th>Last fired</th><th></th></tr></thead>
      <tbody>${(data?.schedules ?? []).map((s) => html`<tr>
        <td class="mono">${s.scheduleName}</td><td>${s.workflowName}</td><td class="mono">${s.schedule}${s.cronTimezone ? ` (${s.cronTimezone})` : ''}</td>
        <td><span class=${`status status-${s.status.toLowerCase()}`}>${s.status}</span></td><td>${s.lastFiredAt ? time(Date.parse(s.lastFiredAt)) : '—'}</td>
        <td class="row-actions">
          ${s.status === 'ACTIVE' ? html`<button type="button" class="small" onClick=${() => run(s.scheduleName, 'pause')}>Pause</button>` : html`<button type="button" class="small" onClick=${() => run(s.scheduleName, 'resume')}>Resume</button>`}
          <button type="button" class="small" onClick=${() => setAsking({ message: `Run ${s.scheduleName} once now?`, action: 'Trigger', run: () => run(s.scheduleName, 'trigger') })}>Trigger</button>
          <button type="button" class="small" onClick=${() => backfill(s.scheduleName)}>Backfill 24 h</button>
        </td></tr>`)}</tbody>
    </table></div>
    ${asking && html`<${Confirm} message=${asking.message} action=${asking.action} onAnswer=${(yes) => { const a = asking; setAsking(null); if (yes) a.run(); }} />`}
  </section>`;
}

export function ExecutorsPage() {
  const { data, error } = useData('/api/executors', true);
  return html`<section>
    <header class="page-head"><h1>Executors</h1></header>
    ${error && html`<p class="error">${String(error.message)}</p>`}
    <div class="table-wrap"><table data-testid="executors">
      <thead><tr><th>Executor</th><th>Version</th><th>Last heartbeat</th><th>Up since</th><th>Running</th></tr></thead>
      <tbody>${(data?.executors ?? []).map((e) => html`<tr>
        <td class="mono">${e.executorID}</td><td class="mono truncate">${e.applicationVersion ?? '—'}</td>
        <td class=${data.now - e.heartbeatAt > 60_000 ? 'stale' : ''}>${ago(e.heartbeatAt)}</td><td>${time(e.startedAt)} (${duration(data.now - e.startedAt)})</td>
        <td><a href=${`#/workflows?status=PENDING`}>${e.pendingWorkflows} workflow(s)</a></td></tr>`)}</tbody>
    </table></div>
  </section>`;
}

export function VersionsPage() {
  const { data, error, load, setError } = useData('/api/versions');
  const [asking, setAsking] = useState(null);
  const latest = data?.versions[0]?.versionName;
  return html`<section>
    <header class="page-head"><h1>Application versions</h1></header>
    ${error && html`<p class="error">${String(error.message)}</p>`}
    <div class="table-wrap"><table data-testid="versions">
      <thead><tr><th>Version</th><th>Registered</th><th>Latest since</th><th></th></tr></thead>
      <tbody>${(data?.versions ?? []).map((v) => html`<tr>
        <td class="mono truncate" title=${v.versionName}>${v.versionName}${v.versionName === data.current ? ' (this process)' : ''}</td>
        <td>${time(v.createdAt)}</td><td>${time(v.versionTimestamp)}</td>
        <td>${v.versionName === latest ? html`<strong>latest</strong>` : html`<button type="button" class="small" onClick=${() => setAsking(v.versionName)}>Make latest</button>`}</td></tr>`)}</tbody>
    </table></div>
    ${asking && html`<${Confirm} message=${`Make ${asking} the latest version?`} action="Make latest" onAnswer=${(yes) => { const name = asking; setAsking(null); if (yes) post(`/api/versions/${encodeURIComponent(name)}/latest`).then(load, setError); }} />`}
  </section>`;
}
