// One workflow: status and identity, inputs, output or error, the step timeline (start, duration,
// error, child), child and parent workflows, events, messages and streams; cancel, resume and
// fork-from-step, each confirmed first and followed by a fresh read. Live while open.
import { useCallback, useEffect, useRef, useState } from '/vendor/hooks.mjs';
import { get, post, subscribeChanges } from './api.js';
import { Confirm, JsonView, Status, StrandedBadge, WorkflowLink, duration, html, navigate, time } from './ui.js';

const finished = new Set(['SUCCESS', 'ERROR']);

function Timeline({ workflow, steps, onFork }) {
  if (steps.length === 0) return html`<p class="empty">No steps recorded yet.</p>`;
  const start = workflow.startedAt ?? workflow.createdAt;
  const end = Math.max(workflow.completedAt ?? Date.now(), ...steps.map((s) => s.completedAt ?? 0));
  const total = Math.max(1, end - start);
  return html`<ol class="timeline" data-testid="steps">
    ${steps.map((step) => {
      const left = step.startedAt ? ((step.startedAt - start) / total) * 100 : 0;
      const width = step.durationMs !== null ? Math.max(0.5, (step.durationMs / total) * 100) : 0.5;
      return html`<li key=${step.functionID} class=${step.error ? 'step failed' : 'step'} data-testid="step">
        <div class="step-head">
          <span class="step-id">#${step.functionID}</span>
          <span class="step-name">${step.name}</span>
          <span class="step-time">${time(step.startedAt)} · ${duration(step.durationMs)}</span>
          <button type="button" class="small" data-testid=${`fork-step-${step.functionID}`} onClick=${() => onFork(step.functionID)}>Fork from here</button>
        </div>
        <div class="bar"><span style=${{ marginLeft: `${Math.min(99.5, left)}%`, width: `${Math.min(100 - left, width)}%` }}></span></div>
        ${step.childWorkflowID && html`<div>Child: <${WorkflowLink} id=${step.childWorkflowID} /></div>`}
        ${step.error && html`<details class="step-error"><summary>${step.error.name ?? 'Error'}: ${step.error.message ?? ''}</summary><${JsonView} value=${step.error} /></details>`}
        ${!step.error && step.output !== null && html`<details><summary>Output</summary><${JsonView} value=${step.output} /></details>`}
      </li>`;
    })}
  </ol>`;
}

function Facts({ workflow }) {
  const rows = [
    ['Name', workflow.className ? `${workflow.className}.${workflow.name}` : workflow.name],
    ['Queue', workflow.queueName],
    ['Created', time(workflow.createdAt)],
    ['Started', time(workflow.startedAt)],
    ['Finished', time(workflow.completedAt)],
    ['Duration', duration(workflow.durationMs)],
    ['Executor', workflow.executorID],
    ['Version', workflow.applicationVersion],
    ['Recovery attempts', workflow.recoveryAttempts],
    ['Schedule', workflow.scheduleName],
    ['User', workflow.authenticatedUser],
  ];
  return html`<dl class="facts">
    ${rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}
    ${workflow.parentWorkflowID && html`<div><dt>Parent</dt><dd><${WorkflowLink} id=${workflow.parentWorkflowID} /></dd></div>`}
    ${workflow.forkedFrom && html`<div><dt>Forked from</dt><dd><${WorkflowLink} id=${workflow.forkedFrom} /></dd></div>`}
  </dl>`;
}

export function WorkflowPage({ id }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [asking, setAsking] = useState(null);
  const shown = useRef(id);
  shown.current = id;
  // A read that finishes after the page moved on to another workflow is dropped.
  const load = useCallback(() => get(`/api/workflows/${encodeURIComponent(id)}`).then(
    (d) => { if (shown.current === id) { setData(d); setError(null); } },
    (e) => { if (shown.current === id) setError(e); },
  ), [id]);
  useEffect(() => { setData(null); setError(null); load(); }, [id]);
  const childIDs = (data?.children ?? []).map((c) => c.workflowID);
  useEffect(() => {
    const mine = new Set([id, ...childIDs]);
    let timer;
    const stop = subscribeChanges([id], (ids) => {
      if (!ids.some((changed) => mine.has(changed))) return;
      clearTimeout(timer);
      timer = setTimeout(load, 100);
    });
    return () => { clearTimeout(timer); stop(); };
  }, [id, childIDs.join(',')]);

  const act = (message, action, run) => setAsking({ message, action, run });
  const answer = async (yes) => {
    const pending = asking;
    setAsking(null);
    if (!yes) return;
    try {
      await pending.run();
      await load();
    } catch (e) {
      setError(e);
    }
  };
  const fork = (step) => act(`Start a new workflow with the inputs of ${id}, reusing its steps before #${step} and running #${step} on afresh?`, `Fork from step ${step}`, async () => {
    const { workflowID } = await post(`/api/workflows/${encodeURIComponent(id)}/fork`, { startStep: step });
    navigate(`/workflow/${encodeURIComponent(workflowID)}`);
  });

  if (error && !data) return html`<p class="error" data-testid="error">${String(error.message ?? error)}</p>`;
  if (!data || data.workflow.workflowID !== id) return html`<p class="loading">Loading ${id}…</p>`;
  const { workflow } = data;
  const canCancel = !finished.has(workflow.status) && workflow.status !== 'CANCELLED';
  const canResume = !finished.has(workflow.status);
  return html`<section class="workflow" data-testid="workflow-page">
    <header class="page-head">
      <h1 class="mono wrap" data-testid="workflow-id">${workflow.workflowID}</h1>
      <${Status} status=${workflow.status} />
      <${StrandedBadge} workflow=${workflow} />
      <div class="actions">
        ${canCancel && html`<button type="button" class="danger" data-testid="cancel" onClick=${() => act(`Cancel ${id}? It stops at its next step and leaves its queue.`, 'Cancel workflow', () => post(`/api/workflows/${encodeURIComponent(id)}/cancel`))}>Cancel</button>`}
        ${canResume && html`<button type="button" data-testid="resume" onClick=${() => act(`Resume ${id} from its last completed step?`, 'Resume', () => post(`/api/workflows/${encodeURIComponent(id)}/resume`))}>Resume</button>`}
        <button type="button" data-testid="fork" onClick=${() => fork(0)}>Fork…</button>
      </div>
    </header>
    ${error && html`<p class="error">${String(error.message ?? error)}</p>`}
    <${Facts} workflow=${workflow} />
    <div class="panels">
      <section class="panel"><h2>Inputs</h2><${JsonView} value=${workflow.input} testid="inputs" /></section>
      ${workflow.error
        ? html`<section class="panel"><h2>Error</h2><${JsonView} value=${workflow.error} testid="error-value" /></section>`
        : html`<section class="panel"><h2>Output</h2><${JsonView} value=${workflow.output} testid="output" /></section>`}
    </div>
    <section class="panel"><h2>Steps (${data.steps.length})</h2><${Timeline} workflow=${workflow} steps=${data.steps} onFork=${fork} /></section>
    ${(data.parent || data.children.length > 0) && html`<section class="panel"><h2>Related workflows</h2>
      ${data.parent && html`<p>Parent: <${WorkflowLink} id=${data.parent.workflowID} /> <${Status} status=${data.parent.status} /></p>`}
      <ul class="plain">${data.children.map((c) => html`<li><${WorkflowLink} id=${c.workflowID} /> ${c.name} <${Status} status=${c.status} /></li>`)}</ul>
    </section>`}
    ${data.events.length > 0 && html`<section class="panel"><h2>Events</h2>${data.events.map((e) => html`<div class="kv"><span class="mono">${e.key}</span><${JsonView} value=${e.value} /></div>`)}</section>`}
    ${data.messages.length > 0 && html`<section class="panel"><h2>Messages</h2>${data.messages.map((m) => html`<div class="kv"><span class="mono">${m.topic ?? '(default)'} · ${time(m.createdAt)}${m.consumed ? ' · received' : ''}</span><${JsonView} value=${m.value} /></div>`)}</section>`}
    ${data.streams.length > 0 && html`<section class="panel"><h2>Streams</h2>${data.streams.map((s) => html`<div class="kv"><span class="mono">${s.key} (${s.values.length}${s.closed ? ', closed' : ''})</span><${JsonView} value=${s.values} /></div>`)}</section>`}
    ${asking && html`<${Confirm} message=${asking.message} action=${asking.action} onAnswer=${answer} />`}
  </section>`;
}
