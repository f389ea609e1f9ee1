// Small shared pieces: the html tag, status badges, times and durations, collapsible JSON,
// a confirmation dialog, and hash-URL helpers (filters live in the URL, so views can be shared).
import { h } from '/vendor/preact.mjs';
import { useEffect, useRef } from '/vendor/hooks.mjs';
import htm from '/vendor/htm.mjs';

export const html = htm.bind(h);

export function Status({ status }) {
  return html`<span class=${`status status-${String(status).toLowerCase()}`} data-testid="status">${status}</span>`;
}

/** Marks a PENDING or ENQUEUED workflow whose application version no live process runs. */
export function StrandedBadge({ workflow }) {
  if (!workflow.stranded) return null;
  const title = `Stranded: no live process runs version ${workflow.applicationVersion}, so nothing resumes it. Relaunch that version, or a newer one with adoptCompatibleWorkflows.`;
  return html`<span class="badge-stranded" title=${title} data-testid="stranded-badge">stranded</span>`;
}

export function time(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} m`;
}

export function ago(ms) {
  return ms ? `${duration(Date.now() - ms)} ago` : '—';
}

export function WorkflowLink({ id }) {
  return id ? html`<a href=${`#/workflow/${encodeURIComponent(id)}`} class="mono">${id}</a>` : '—';
}

function JsonNode({ value, name, depth }) {
  const label = name === undefined ? null : html`<span class="json-key">${name}: </span>`;
  if (value === null || typeof value !== 'object') {
    const kind = value === null ? 'null' : typeof value;
    return html`<div class="json-line">${label}<span class=${`json-${kind}`}>${JSON.stringify(value)}</span></div>`;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  if (entries.length === 0) return html`<div class="json-line">${label}<span class="json-null">${Array.isArray(value) ? '[]' : '{}'}</span></div>`;
  return html`<details class="json-node" open=${depth < 2}>
    <summary>${label}<span class="json-summary">${summary}</span></summary>
    <div class="json-children">${entries.map(([k, v]) => html`<${JsonNode} key=${k} name=${k} value=${v} depth=${depth + 1} />`)}</div>
  </details>`;
}

/** Readable, collapsible JSON; strings that hold JSON are shown as text. */
export function JsonView({ value, testid }) {
  return html`<div class="json" data-testid=${testid}><${JsonNode} value=${value} depth=${0} /></div>`;
}

/** A modal asking to confirm an action; `onAnswer(true|false)`. */
export function Confirm({ message, action, onAnswer }) {
  const dialog = useRef(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return html`<dialog ref=${dialog} class="confirm" data-testid="confirm" onCancel=${() => onAnswer(false)}>
    <p>${message}</p>
    <div class="actions">
      <button type="button" onClick=${() => onAnswer(false)}>Keep as is</button>
      <button type="button" class="danger" data-testid="confirm-yes" onClick=${() => onAnswer(true)}>${action}</button>
    </div>
  </dialog>`;
}

/** The current hash route: path segments and query parameters. */
export function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/workflows';
  const [path, query = ''] = hash.split('?');
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function navigate(path, params) {
  const query = params ? params.toString() : '';
  location.hash = query ? `${path}?${query}` : path;
}
