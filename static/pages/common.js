/*
 * Glue shared by stepflow's Django pages (not bundled: plain scripts next to the bundle,
 * which they use through the global `stepflow`). Every change goes through the REST API
 * with the session cookie and the page's CSRF token.
 */
(function () {
  'use strict';

  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

  /** fetch JSON from the API: `{ok, status, data}`; `data.error` is the API's error body. */
  async function api(method, url, body) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET') init.headers['X-CSRFToken'] = csrf();
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      return { ok: false, status: 0, data: { error: { code: 'offline', message: 'The server could not be reached.' } } };
    }
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch {
        data = { error: { code: 'bad_response', message: `The server answered ${response.status}.` } };
      }
    }
    return { ok: response.ok, status: response.status, data };
  }

  /** Every page of a cursor-paginated list, oldest first when the list allows it. */
  async function all(url) {
    const out = [];
    let next = url;
    while (next) {
      const { ok, data } = await api('GET', next);
      if (!ok) throw new Error(data?.error?.message ?? 'could not load');
      out.push(...data.results);
      next = data.next;
    }
    return out;
  }

  const readJson = (id) => JSON.parse(document.getElementById(id).textContent);

  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function problemText(data) {
    const error = data?.error;
    if (!error) return 'Something went wrong.';
    const problems = (error.problems ?? []).map((p) => `${p.path}: ${p.message}`);
    return [error.message, ...problems].join('\n');
  }

  /** Show a socket's state on a `.pg-live` badge. */
  function liveBadge(element) {
    const labels = { connecting: 'Connecting…', open: 'Live', waiting: 'Reconnecting…', closed: 'Offline' };
    return (status) => {
      if (!element) return;
      element.dataset.state = status;
      element.textContent = labels[status] ?? status;
    };
  }

  function duration(from, to) {
    if (!from) return '';
    const ms = Math.max(0, (to ? Date.parse(to) : Date.now()) - Date.parse(from));
    if (ms < 1000) return `${ms} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
    const minutes = Math.floor(ms / 60000);
    return `${minutes} min ${Math.round((ms % 60000) / 1000)} s`;
  }

  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString(undefined, { hour12: false }) + '.' + String(new Date(iso).getMilliseconds()).padStart(3, '0') : '');

  function statusChip(status) {
    return h('span', { class: `pg-status pg-status-${String(status).toLowerCase()}`, text: status });
  }

  window.pages = { api, all, csrf, readJson, h, problemText, liveBadge, duration, time, statusChip };
})();
