// The workflows table: filters kept in the URL, pages by cursor (Newer / Older), live updates from the
// server's change feed (the current page is read again when something changes).
import { useCallback, useEffect, useRef, useState } from '/vendor/hooks.mjs';
import { get, subscribeChanges } from './api.js';
import { Status, StrandedBadge, WorkflowLink, duration, html, navigate, time } from './ui.js';

const statuses = ['', 'PENDING', 'ENQUEUED', 'DELAYED', 'SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'];
const filterNames = ['status', 'name', 'queue', 'prefix', 'from', 'to', 'stranded'];

function toLocalInput(ms) {
  if (!ms) return '';
  const d = new Date(Number(ms));
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

// The fields are filled once, when the filters (keyed by the URL's query) mount, and never bound to a value: the
// page re-renders on every live refresh, and a bound field would lose what the user was typing or ticking.
function fillFilters(form, params) {
  for (const name of filterNames) {
    const field = form.elements.namedItem(name);
    if (!field) continue;
    if (name === 'stranded') field.checked = params.get(name) === '1';
    else field.value = name === 'from' || name === 'to' ? toLocalInput(params.get(name)) : params.get(name) ?? '';
  }
}

function Filters({ params }) {
  const form = useRef(null);
  useEffect(() => fillFilters(form.current, params), []);
  const apply = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of filterNames) {
      let value = String(form.get(name) ?? '').trim();
      if (value && (name === 'from' || name === 'to')) value = String(new Date(value).getTime());
      if (value) next.set(name, value);
    }
    navigate('/workflows', next);
  };
  return html`<form class="filters" onSubmit=${apply} data-testid="filters" ref=${form}>
    <label>Status<select name="status">
      ${statuses.map((s) => html`<option value=${s}>${s || 'any'}</option>`)}
    </select></label>
    <label>Name<input name="name" placeholder="workflow name" /></label>
    <label>Queue<input name="queue" placeholder="queue" /></label>
    <label>ID prefix<input name="prefix" placeholder="ID starts with" /></label>
    <label>From<input type="datetime-local" name="from" /></label>
    <label>To<input type="datetime-local" name="to" /></label>
    <label class="check" title="PENDING or ENQUEUED under an application version no live process runs">
      <span><input type="checkbox" name="stranded" value="1" data-testid="stranded-filter" /> Stranded only</span>
    </label>
    <div class="filter-actions">
      <button type="submit">Apply</button>
      <button type="button" onClick=${() => navigate('/workflows')}>Clear</button>
    </div>
  </form>`;
}

export function WorkflowsPage({ params }) {
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [live, setLive] = useState(0);
  const query = new URLSearchParams();
  for (const name of [...filterNames, 'cursor']) if (params.get(name)) query.set(name, params.get(name));
  const key = query.toString();

  const load = useCallback(() => {
    get(`/api/workflows?${key}`).then((p) => { setPage(p); setError(null); }, setError);
  }, [key]);
  useEffect(load, [key]);
  useEffect(() => {
    let timer;
    return subscribeChanges([], () => {
      clearTimeout(timer);
      timer = setTimeout(() => { load(); setLive((n) => n + 1); }, 100);
    });
  }, [load]);

  const older = () => {
    const next = new URLSearchParams(params);
    next.set('cursor', page.nextCursor);
    const trail = (params.get('trail') ?? '').split('~').filter(Boolean);
    trail.push(params.get('cursor') ?? '-');
    next.set('trail', trail.join('~'));
    navigate('/workflows', next);
  };
  const newer = () => {
    const next = new URLSearchParams(params);
    const trail = (params.get('trail') ?? '').split('~').filter(Boolean);
    const previous = trail.pop();
    if (!previous || previous === '-') next.delete('cursor'); else next.set('cursor', previous);
    if (trail.length) next.set('trail', trail.join('~')); else next.delete('trail');
    navigate('/workflows', next);
  };

  return html`<section>
    <header class="page-head"><h1>Workflows</h1><span class="live" title="Updates live" data-live=${live}>● live</span></header>
    <${Filters} key=${key} params=${params} />
    ${error && html`<p class="error">${String(error.message ?? error)}</p>`}
    <div class="table-wrap">
      <table class="workflows" data-testid="workflows-table">
        <thead><tr><th>Workflow ID</th><th>Status</th><th>Name</th><th>Queue</th><th>Created</th><th>Duration</th><th>Executor</th><th>Version</th></tr></thead>
        <tbody>
          ${(page?.workflows ?? []).map((w) => html`<tr key=${w.workflowID} data-testid="workflow-row" data-id=${w.workflowID}>
            <td><${WorkflowLink} id=${w.workflowID} /></td>
            <td><${Status} status=${w.status} /> <${StrandedBadge} workflow=${w} /></td>
            <td>${w.name}</td>
            <td>${w.queueName ?? '—'}</td>
            <td title=${new Date(w.createdAt).toISOString()}>${time(w.createdAt)}</td>
            <td>${w.durationMs === null ? (w.status === 'PENDING' && !w.stranded ? 'running' : '—') : duration(w.durationMs)}</td>
            <td class="mono">${w.executorID ?? '—'}</td>
            <td class="mono truncate" title=${w.applicationVersion ?? ''}>${w.applicationVersion ?? '—'}</td>
          </tr>`)}
        </tbody>
      </table>
    </div>
    ${page && page.workflows.length === 0 && html`<p class="empty">No workflows match.</p>`}
    <nav class="pager">
      <button type="button" disabled=${!params.get('cursor')} onClick=${newer}>← Newer</button>
      <button type="button" disabled=${!page?.nextCursor} onClick=${older}>Older →</button>
    </nav>
  </section>`;
}
