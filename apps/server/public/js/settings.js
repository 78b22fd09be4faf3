// The settings dialog: every field saved as it changes, and the request fields it stands for.
import { DEFAULT_SETTINGS, loadSettings, saveSettings } from './store.js';

/** A setting the user gave that cannot be sent (shown in place of the answer). */
export class SettingsError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * Binds the dialog's fields (ids equal to the setting names) to the stored settings. Returns
 * `get()`, the current settings; `onChange(settings)` runs after each change.
 */
export function bindSettings({ dialog, onChange }) {
  let settings = loadSettings();
  const field = (name) => dialog.querySelector(`#${name}`);
  const show = () => {
    for (const name of Object.keys(DEFAULT_SETTINGS)) field(name).value = settings[name];
    dialog.querySelector('#schema-field').hidden = settings.responseFormat !== 'json_schema';
    showSchemaError(dialog, settings);
  };
  const changed = () => {
    for (const name of Object.keys(DEFAULT_SETTINGS)) settings[name] = field(name).value;
    dialog.querySelector('#schema-field').hidden = settings.responseFormat !== 'json_schema';
    showSchemaError(dialog, settings);
    try {
      saveSettings(settings);
    } catch {
      // Storage full: the settings still apply until the page is closed.
    }
    onChange(settings);
  };
  dialog.addEventListener('input', changed);
  dialog.addEventListener('change', changed);
  dialog.querySelector('#reset-settings').addEventListener('click', () => {
    settings = { ...DEFAULT_SETTINGS, apiKey: settings.apiKey };
    show();
    changed();
  });
  show();
  onChange(settings);
  return { get: () => settings };
}

function showSchemaError(dialog, settings) {
  const note = dialog.querySelector('#schema-error');
  let message = '';
  if (settings.responseFormat === 'json_schema') {
    try {
      parseSchema(settings.jsonSchema);
    } catch (error) {
      message = error.message;
    }
  }
  note.textContent = message;
  note.hidden = message === '';
}

function parseSchema(text) {
  if (text.trim() === '') throw new SettingsError('Give the JSON schema the answer must follow.');
  let schema;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`The JSON schema is not valid JSON: ${error.message}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new SettingsError('The JSON schema must be a JSON object.');
  }
  return schema;
}

/**
 * The sampling fields of a chat request; empty settings are left out (the server's defaults).
 * `response_format` is sent only when a JSON format is chosen, so a server without it is
 * unaffected until then (and its 400 is shown like any other error).
 */
export function requestFields(settings) {
  const fields = {};
  const number = (name, value) => {
    if (value.trim() !== '') fields[name] = Number(value);
  };
  number('temperature', settings.temperature);
  number('top_k', settings.topK);
  number('top_p', settings.topP);
  number('max_tokens', settings.maxTokens);
  number('seed', settings.seed);
  if (settings.responseFormat === 'json_object') fields.response_format = { type: 'json_object' };
  if (settings.responseFormat === 'json_schema') {
    fields.response_format = {
      type: 'json_schema',
      json_schema: { name: 'answer', schema: parseSchema(settings.jsonSchema), strict: true },
    };
  }
  return fields;
}
