// Conversations and settings, kept in this browser's localStorage.
//
// Keys: `gemma3.chats` is the list ({id, title, updated}, newest first), `gemma3.chat.<id>` one
// conversation ({id, title, created, updated, messages}), `gemma3.settings` the settings,
// `gemma3.current` the id of the conversation last open. A message is
// {role: 'user', text, images: [dataUrl]} or
// {role: 'assistant', text, stats?, error?, done: 'true' | 'stopped' | 'error'}.

const LIST_KEY = 'gemma3.chats';
const CURRENT_KEY = 'gemma3.current';
const SETTINGS_KEY = 'gemma3.settings';
const chatKey = (id) => `gemma3.chat.${id}`;

export const DEFAULT_SETTINGS = Object.freeze({
  system: '',
  temperature: '',
  topK: '',
  topP: '',
  maxTokens: '',
  seed: '',
  responseFormat: '',
  jsonSchema: '',
  theme: 'system',
  apiKey: '',
});

/** Thrown when the browser refuses to store more (quota); what was in memory stays usable. */
export class StorageFullError extends Error {
  constructor(cause) {
    super('Browser storage is full: delete old conversations to keep new ones.', { cause });
    this.name = 'StorageFullError';
  }
}

function read(key, fallback) {
  try {
    const text = localStorage.getItem(key);
    return text === null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch (error) {
    throw new StorageFullError(error);
  }
}

/** Ids that work outside secure contexts too (crypto.randomUUID needs https or localhost). */
export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function loadSettings() {
  const stored = read(SETTINGS_KEY, {});
  const settings = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS)) {
    if (typeof stored[key] === 'string') settings[key] = stored[key];
  }
  return settings;
}

export function saveSettings(settings) {
  write(SETTINGS_KEY, settings);
}

/** The conversation list, newest first. */
export function listConversations() {
  const list = read(LIST_KEY, []);
  return Array.isArray(list) ? list.filter((c) => typeof c?.id === 'string') : [];
}

export function loadConversation(id) {
  const conversation = read(chatKey(id), null);
  if (!conversation || !Array.isArray(conversation.messages)) return null;
  return conversation;
}

export function newConversation() {
  const now = Date.now();
  return { id: newId(), title: '', created: now, updated: now, messages: [] };
}

/** Stores the conversation and moves it to the top of the list. */
export function saveConversation(conversation) {
  conversation.updated = Date.now();
  const list = listConversations().filter((c) => c.id !== conversation.id);
  list.unshift({ id: conversation.id, title: conversation.title, updated: conversation.updated });
  write(chatKey(conversation.id), conversation);
  write(LIST_KEY, list);
}

export function renameConversation(id, title) {
  const conversation = loadConversation(id);
  if (conversation) {
    conversation.title = title;
    write(chatKey(id), conversation);
  }
  write(
    LIST_KEY,
    listConversations().map((c) => (c.id === id ? { ...c, title } : c)),
  );
}

export function deleteConversation(id) {
  localStorage.removeItem(chatKey(id));
  write(
    LIST_KEY,
    listConversations().filter((c) => c.id !== id),
  );
}

export function currentConversationId() {
  return localStorage.getItem(CURRENT_KEY);
}

export function setCurrentConversationId(id) {
  try {
    if (id) localStorage.setItem(CURRENT_KEY, id);
    else localStorage.removeItem(CURRENT_KEY);
  } catch {
    // Only the choice of the conversation to reopen is lost.
  }
}

/** A title from the first user message: its first line, shortened. */
export function titleFrom(text) {
  const line = text.trim().split('\n')[0].trim();
  if (line === '') return 'Image';
  return line.length > 48 ? `${line.slice(0, 47)}…` : line;
}
