/* The editor page: the bundle's graph editor, validated by POST /api/validate/, saved with
 * POST /api/machines/ (create) or PUT /api/machines/<name>/ (a new version, with a comment).
 * Leaving with unsaved changes asks first. */
(function () {
  'use strict';
  const data = pages.readJson('editor-data');
  const form = document.getElementById('save-form');
  const state = document.querySelector('[data-testid="save-state"]');
  const saveButton = form.querySelector('[data-testid="save"]');

  async function validate(definition) {
    const { ok, data: answer } = await pages.api('POST', '/api/validate/', { definition });
    if (ok) return answer.problems;
    return answer?.error?.problems?.length ? answer.error.problems : [{ path: '', message: pages.problemText(answer) }];
  }

  const say = (text, kind = '') => {
    state.textContent = text;
    state.className = `pg-save-state ${kind === 'error' ? 'pg-error-text' : kind === 'ok' ? 'pg-ok-text' : 'pg-muted'}`;
  };

  const editor = stepflow.mountEditor(document.getElementById('editor'), {
    definition: data.definition ?? undefined,
    functions: data.functions ?? [],
    functionsProblem: data.functions_problem || '',
    validate,
    onChange: (_definition, { dirty }) => say(dirty ? 'Unsaved changes' : 'Saved'),
  });
  window.editor = editor;

  window.addEventListener('beforeunload', (event) => {
    if (editor.dirty) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const nameInput = form.elements.name;
    if (nameInput && !nameInput.checkValidity()) {
      say('A name is 1-80 letters, digits, “-” or “_”.', 'error');
      nameInput.focus();
      return;
    }
    try {
      JSON.parse(editor.code);
    } catch {
      say('The code view does not hold valid JSON.', 'error');
      return;
    }
    const problems = await editor.validateNow();
    if (problems && problems.length) {
      say(`Fix ${problems.length} problem${problems.length === 1 ? '' : 's'} before saving.`, 'error');
      return;
    }
    saveButton.disabled = true;
    say('Saving…');
    const comment = form.elements.comment.value;
    const name = data.name ?? nameInput.value;
    const answer = data.name
      ? await pages.api('PUT', `/api/machines/${encodeURIComponent(name)}/`, { definition: editor.definition, comment })
      : await pages.api('POST', '/api/machines/', { name, definition: editor.definition, description: comment });
    saveButton.disabled = false;
    if (!answer.ok) {
      say(pages.problemText(answer.data), 'error');
      return;
    }
    editor.markSaved();
    say('Saved', 'ok');
    window.location.assign(`/machines/${encodeURIComponent(name)}/`);
  });
})();
