// The chat page: conversations, the composer, answers streamed in, settings. See store.js for what
// is kept, api.js for the requests, view.js for the DOM.
import { fetchModel, streamChat } from './api.js';
import { imageDataUrl, wireImageInputs } from './attachments.js';
import { bindSettings, requestFields } from './settings.js';
import {
  currentConversationId,
  deleteConversation,
  listConversations,
  loadConversation,
  newConversation,
  renameConversation,
  StorageFullError,
  saveConversation,
  setCurrentConversationId,
  titleFrom,
} from './store.js';
import { messageElement, renderConversationList, updateAnswer, updateAnswerText } from './view.js';

const $ = (id) => document.getElementById(id);

let model = null;
let conversation = openConversation(currentConversationId());
/** The answer being generated: {controller, conversation, index}, or null. */
let running = null;
/** Data URIs of the images attached to the next message. */
let pending = [];
/** The page's welcome note, shown while a conversation is empty. */
const emptyNote = $('empty');

const messageActions = {
  edit: (index, text) => editAndRegenerate(index, text),
  regenerate: (index) => regenerate(index),
  openImage: (src) => {
    $('lightbox-image').src = src;
    $('lightbox').showModal();
  },
};

/** The API key the model was last asked for with (a new key asks again, once typing pauses). */
let keyInUse;
let keyTimer = 0;
const settings = bindSettings({
  dialog: $('settings'),
  onChange: (s) => {
    document.documentElement.dataset.theme = s.theme;
    if (keyInUse !== undefined && s.apiKey !== keyInUse) {
      clearTimeout(keyTimer);
      keyTimer = setTimeout(refreshModel, 300);
    }
    keyInUse = s.apiKey;
  },
});

// ---- conversations ----

function openConversation(id) {
  const stored = id ? loadConversation(id) : null;
  if (!stored) return newConversation();
  for (const m of stored.messages) {
    // An answer still streaming when the page was closed ends there.
    if (m.role === 'assistant' && (!m.done || m.done === 'streaming')) m.done = 'stopped';
  }
  return stored;
}

function persist(c = conversation) {
  if (c.messages.length === 0 || c.deleted) return;
  try {
    saveConversation(c);
    $('storage-warning').hidden = true;
  } catch (error) {
    if (!(error instanceof StorageFullError)) throw error;
    $('storage-warning').textContent = error.message;
    $('storage-warning').hidden = false;
  }
  renderSidebar();
}

function show(c) {
  if (running && running.conversation !== c) running.controller.abort();
  conversation = c;
  setCurrentConversationId(c.messages.length ? c.id : null);
  $('title').textContent = c.title || 'New chat';
  renderMessages();
  renderSidebar();
  document.body.classList.remove('sidebar-open');
  $('scrim').hidden = true;
}

function renderSidebar() {
  renderConversationList($('conversations'), listConversations(), conversation.id, {
    open: (id) => {
      if (id !== conversation.id) show(openConversation(id));
      else show(conversation);
    },
    rename: (id, title) => {
      try {
        renameConversation(id, title);
      } catch {
        // Storage full: the old name stays.
      }
      if (id === conversation.id) {
        conversation.title = title;
        $('title').textContent = title;
      }
      renderSidebar();
    },
    remove: (id) => {
      deleteConversation(id);
      if (id === conversation.id) {
        conversation.deleted = true; // an answer still streaming into it must not save it again
        const next = listConversations()[0];
        show(next ? openConversation(next.id) : newConversation());
      } else renderSidebar();
    },
  });
}

function renderMessages() {
  const box = $('messages');
  const items = conversation.messages.map((m, i) => messageElement(m, i, messageActions));
  box.replaceChildren(...(items.length ? items : [emptyNote]));
  box.scrollTop = box.scrollHeight;
}

// ---- sending and answering ----

async function send() {
  const text = $('input').value.trim();
  if (running || (text === '' && pending.length === 0)) return;
  if (!conversation.title) {
    conversation.title = titleFrom(text);
    $('title').textContent = conversation.title;
  }
  conversation.messages.push({ role: 'user', text, images: pending });
  conversation.messages.push({ role: 'assistant', text: '', done: 'streaming' });
  $('input').value = '';
  autosize();
  setPending([]);
  setCurrentConversationId(conversation.id);
  persist();
  renderMessages();
  await answer(conversation.messages.length - 1);
}

function editAndRegenerate(index, text) {
  if (running) return;
  const message = conversation.messages[index];
  if (text.trim() === '' && !message.images?.length) return;
  message.text = text.trim();
  conversation.messages.length = index + 1;
  conversation.messages.push({ role: 'assistant', text: '', done: 'streaming' });
  persist();
  renderMessages();
  return answer(index + 1);
}

function regenerate(index) {
  if (running) return;
  conversation.messages.length = index + 1;
  renderMessages();
  return answer(index);
}

/** The API's messages for the turns before an answer: failed answers left out, user turns merged. */
function requestMessages(messages, system) {
  const out = system.trim() ? [{ role: 'system', content: system }] : [];
  for (const m of messages) {
    if (m.role === 'assistant') {
      if (m.done !== 'error') out.push({ role: 'assistant', content: m.text });
      continue;
    }
    const parts = (m.images ?? []).map((url) => ({ type: 'image_url', image_url: { url } }));
    if (m.text) parts.push({ type: 'text', text: m.text });
    const last = out.at(-1);
    if (last?.role === 'user') last.content.push(...parts);
    else out.push({ role: 'user', content: parts });
  }
  return out;
}

/** Generates the answer at `index` (an assistant message), streaming it into the page. */
async function answer(index) {
  const c = conversation;
  const message = c.messages[index];
  Object.assign(message, { text: '', done: 'streaming', error: undefined, stats: undefined });
  const controller = new AbortController();
  running = { controller, conversation: c, index };
  setBusy(true);
  const article = () => (conversation === c ? $('messages').querySelector(`[data-index="${index}"]`) : null);
  const redraw = () => {
    const node = article();
    if (node) updateAnswer(node, message, index, messageActions);
  };
  redraw();
  let frame = 0;
  const started = performance.now();
  let firstToken;
  try {
    const s = settings.get();
    if (!model) await refreshModel();
    if (!model) throw new Error(`No model to ask yet (${$('status').textContent})`);
    const body = {
      model,
      messages: requestMessages(c.messages.slice(0, index), s.system),
      ...requestFields(s),
    };
    const { finishReason, usage } = await streamChat({
      body,
      apiKey: s.apiKey.trim(),
      conversationId: c.id,
      signal: controller.signal,
      onText: (piece) => {
        firstToken ??= performance.now();
        message.text += piece;
        frame ||= requestAnimationFrame(() => {
          frame = 0;
          const node = article();
          if (!node) return;
          const box = $('messages');
          const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
          updateAnswerText(node, message.text);
          if (atBottom) box.scrollTop = box.scrollHeight;
        });
      },
    });
    message.done = 'true';
    message.stats = stats(started, firstToken, performance.now(), usage, finishReason);
  } catch (error) {
    if (error.name === 'AbortError') {
      message.done = 'stopped';
      message.stats = stats(started, firstToken, performance.now(), null, 'stopped');
    } else {
      message.done = 'error';
      message.error = error.message;
    }
  } finally {
    cancelAnimationFrame(frame);
    running = null;
    setBusy(false);
    persist(c);
    redraw();
  }
}

function stats(started, firstToken, ended, usage, finishReason) {
  const out = { finishReason: finishReason ?? undefined };
  if (firstToken !== undefined) out.ttftMs = firstToken - started;
  if (usage) {
    out.completionTokens = usage.completion_tokens;
    out.promptTokens = usage.prompt_tokens;
    // Decoding speed: the tokens after the first, over the time after the first.
    const seconds = (ended - (firstToken ?? ended)) / 1000;
    if (usage.completion_tokens > 1 && seconds > 0)
      out.tokensPerSecond = (usage.completion_tokens - 1) / seconds;
  }
  return out;
}

function setBusy(busy) {
  document.body.classList.toggle('busy', busy);
  $('send').hidden = busy;
  $('stop').hidden = !busy;
}

function stop() {
  running?.controller.abort();
}

// ---- the server's model ----

async function refreshModel() {
  try {
    const { state, model: id } = await fetchModel(settings.get().apiKey.trim());
    model = id;
    $('status').textContent = id ? `model: ${id}` : `model ${state}...`;
    if (!id) setTimeout(refreshModel, 1000);
  } catch (error) {
    $('status').textContent =
      error.name === 'ApiError' ? error.message : `server unreachable (${error.message})`;
    if (error.name !== 'ApiError') setTimeout(refreshModel, 2000);
  }
}

// ---- attachments ----

function setPending(images) {
  pending = images;
  const box = $('attachments');
  box.hidden = images.length === 0;
  box.replaceChildren(
    ...images.map((src, i) => {
      const item = document.createElement('div');
      item.className = 'pending';
      const img = document.createElement('img');
      img.src = src;
      img.alt = 'image to send';
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove';
      remove.setAttribute('aria-label', 'Remove image');
      remove.textContent = '×';
      remove.addEventListener('click', () => setPending(pending.filter((_, j) => j !== i)));
      item.append(img, remove);
      return item;
    }),
  );
}

async function addImages(files) {
  for (const file of files) {
    try {
      setPending([...pending, await imageDataUrl(file)]);
    } catch (error) {
      $('status').textContent = error.message;
    }
  }
  $('input').focus();
}

// ---- wiring ----

function autosize() {
  const input = $('input');
  input.style.height = 'auto';
  input.style.height = `${input.scrollHeight}px`;
}

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});
$('input').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
$('input').addEventListener('input', autosize);
$('stop').addEventListener('click', stop);
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('dialog[open]')) return;
  if (running) stop();
  else if (document.body.classList.contains('sidebar-open')) toggleSidebar(false);
});
$('new-chat').addEventListener('click', () => {
  show(newConversation());
  $('input').focus();
});
$('open-settings').addEventListener('click', () => $('settings').showModal());
$('lightbox').addEventListener('click', () => $('lightbox').close());

function toggleSidebar(open) {
  document.body.classList.toggle('sidebar-open', open);
  $('scrim').hidden = !open;
}
$('menu').addEventListener('click', () => toggleSidebar(!document.body.classList.contains('sidebar-open')));
$('scrim').addEventListener('click', () => toggleSidebar(false));

wireImageInputs({ input: $('image'), overlay: $('drop-overlay'), add: addImages });

show(conversation);
refreshModel();
