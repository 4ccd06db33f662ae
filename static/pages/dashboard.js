/* The dashboard: rendered by Django; a websocket says when executions start or end, and
 * the live region is fetched again over HTTP (with the page's filters). */
(function () {
  'use strict';
  const region = document.getElementById('live-region');
  const badge = pages.liveBadge(document.querySelector('[data-testid="live-status"]'));
  let timer = null;
  let loading = false;

  async function refresh() {
    timer = null;
    if (loading) return schedule();
    loading = true;
    try {
      const response = await fetch(region.dataset.fragmentUrl, { credentials: 'same-origin' });
      if (response.ok) region.innerHTML = await response.text();
    } catch {
      // offline: the next message or reconnect tries again
    } finally {
      loading = false;
    }
  }
  function schedule() {
    if (timer === null) timer = setTimeout(refresh, 300);
  }

  stepflow.follow('/ws/dashboard/', { onEvent: schedule, onReconnect: schedule, onStatus: badge });
})();
