// The dashboard's shell: the navigation, the hash router, and the token prompt for servers that need one.
import { render } from '/vendor/preact.mjs';
import { useEffect, useState } from '/vendor/hooks.mjs';
import { Unauthorized, get, setToken } from './api.js';
import { ExecutorsPage, QueuesPage, SchedulesPage, VersionsPage } from './ops-pages.js';
import { html, currentRoute } from './ui.js';
import { WorkflowPage } from './workflow-page.js';
import { WorkflowsPage } from './workflows-page.js';

const sections = [
  ['workflows', 'Workflows'],
  ['queues', 'Queues'],
  ['schedules', 'Schedules'],
  ['executors', 'Executors'],
  ['versions', 'Versions'],
];

function TokenPrompt({ onSaved }) {
  const save = (event) => {
    event.preventDefault();
    setToken(String(new FormData(event.currentTarget).get('token') ?? '').trim());
    onSaved();
  };
  return html`<form class="token" onSubmit=${save}>
    <h1>Admin token</h1>
    <p>This admin server needs its token (the <code>adminToken</code> it was started with). It is kept for this tab only.</p>
    <input type="password" name="token" autocomplete="off" required />
    <button type="submit">Continue</button>
  </form>`;
}

function Page({ route }) {
  const [section, id] = route.segments;
  if (section === 'workflow' && id) return html`<${WorkflowPage} id=${id} />`;
  if (section === 'queues') return html`<${QueuesPage} />`;
  if (section === 'schedules') return html`<${SchedulesPage} />`;
  if (section === 'executors') return html`<${ExecutorsPage} />`;
  if (section === 'versions') return html`<${VersionsPage} />`;
  return html`<${WorkflowsPage} params=${route.params} />`;
}

function App() {
  const [route, setRoute] = useState(currentRoute());
  const [info, setInfo] = useState(null);
  const [needsToken, setNeedsToken] = useState(false);
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const connect = () => get('/api/info').then((i) => { setInfo(i); setNeedsToken(false); }, (e) => setNeedsToken(e instanceof Unauthorized));
  useEffect(() => { connect(); }, []);
  if (needsToken) return html`<${TokenPrompt} onSaved=${connect} />`;
  const active = route.segments[0] === 'workflow' ? 'workflows' : route.segments[0] ?? 'workflows';
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/workflows">durably</a>
      <nav>${sections.map(([key, label]) => html`<a href=${`#/${key}`} class=${active === key ? 'active' : ''} data-testid=${`nav-${key}`}>${label}</a>`)}</nav>
      ${info && html`<span class="where" title="application · backend">${info.applicationName ?? 'all applications'} · ${info.backend}</span>`}
    </header>
    <main><${Page} route=${route} /></main>
  </div>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the "Loading…" placeholder
render(html`<${App} />`, root);
