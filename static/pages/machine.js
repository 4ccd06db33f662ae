/* A machine's page: its graph (read-only), start an execution with a JSON input that is
 * checked as it is typed, delete. Changes go through the REST API. */
(function () {
  'use strict';
  const name = pages.readJson('machine-name');
  const definition = pages.readJson('definition');
  window.machineGraph = stepflow.mountExecutionGraph(document.getElementById('graph'), { definition, steps: [], details: false });

  const dialog = document.getElementById('start-dialog');
  const startButton = document.querySelector('[data-testid="start"]');
  if (startButton && dialog) {
    const form = dialog.querySelector('form');
    const input = form.elements.input;
    const problem = dialog.querySelector('[data-testid="input-problem"]');
    const confirm = dialog.querySelector('[data-testid="start-confirm"]');
    const check = () => {
      try {
        JSON.parse(input.value);
        problem.hidden = true;
        input.classList.remove('pg-invalid');
        confirm.disabled = false;
        return true;
      } catch (error) {
        problem.textContent = `The input is not JSON: ${error.message}`;
        problem.hidden = false;
        input.classList.add('pg-invalid');
        confirm.disabled = true;
        return false;
      }
    };
    input.addEventListener('input', check);
    startButton.addEventListener('click', () => {
      check();
      dialog.showModal();
      input.focus();
    });
    form.addEventListener('submit', async (event) => {
      if (event.submitter?.value !== 'start') return;
      event.preventDefault();
      if (!check()) return;
      const body = { input: JSON.parse(input.value) };
      if (form.elements.name.value.trim()) body.name = form.elements.name.value.trim();
      confirm.disabled = true;
      const { ok, data } = await pages.api('POST', `/api/machines/${encodeURIComponent(name)}/executions/`, body);
      confirm.disabled = false;
      if (ok) {
        window.location.assign(`/executions/${data.id}/`);
      } else {
        problem.textContent = pages.problemText(data);
        problem.hidden = false;
      }
    });
  }

  const deleteButton = document.querySelector('[data-testid="delete"]');
  deleteButton?.addEventListener('click', async () => {
    if (!window.confirm(`Delete the state machine ${name}? Its finished executions stay until retention removes them.`)) return;
    let { ok, status, data } = await pages.api('DELETE', `/api/machines/${encodeURIComponent(name)}/`);
    if (status === 409 && window.confirm(`${data.error.message}\n\nStop them and delete?`)) {
      ({ ok, data } = await pages.api('DELETE', `/api/machines/${encodeURIComponent(name)}/?stop_running=true`));
    }
    if (ok) window.location.assign('/');
    else if (data) window.alert(pages.problemText(data));
  });
})();
