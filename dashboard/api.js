// The dashboard's only door to the server: JSON calls to /api/ (with the admin token, if the server
// needs one) and the change stream, read with fetch so it can carry the token too.
const tokenKey = 'durably-admin-token';

export class Unauthorized extends Error {}

export function setToken(token) {
  if (token) sessionStorage.setItem(tokenKey, token);
  else sessionStorage.removeItem(tokenKey);
}

function headers(extra = {}) {
  const token = sessionStorage.getItem(tokenKey);
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function answer(response) {
  if (response.status === 401) throw new Unauthorized('This admin server needs a token.');
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export async function get(path) {
  return answer(await fetch(path, { headers: headers() }));
}

export async function post(path, body = {}) {
  return answer(await fetch(path, { method: 'POST', headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body) }));
}

/**
 * Call `onChange(workflowIDs)` for every change the server reports (one shared feed on the server);
 * `watch`: workflow IDs whose steps this page shows. Reconnects after a loss. Returns a function that stops.
 */
export function subscribeChanges(watch, onChange) {
  let stopped = false;
  let controller;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const query = watch.length ? `?watch=${watch.map(encodeURIComponent).join(',')}` : '';
        const response = await fetch(`/api/changes${query}`, { headers: headers(), signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(String(response.status));
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = message.split('\n').find((line) => line.startsWith('data: '));
            if (message.includes('event: change') && data) onChange(JSON.parse(data.slice(6)).workflowIDs);
          }
        }
      } catch {
        // Lost or refused: try again shortly.
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
