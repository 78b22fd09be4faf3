// DOM for messages and the conversation list. Model output goes only through renderMarkdown;
// everything else the user or the model wrote is set as textContent.
import { copyText, renderMarkdown } from './markdown.js';

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label, className, onClick) {
  const node = element('button', className, label);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/**
 * One message as an <article class="msg user|assistant"> with `data-index` (its place in the
 * conversation) and, for answers, `data-done` (streaming, true, stopped or error).
 * `actions`: {edit(index), regenerate(index), openImage(src)}.
 */
export function messageElement(message, index, actions) {
  const article = element('article', `msg ${message.role}`);
  article.dataset.index = String(index);
  if (message.role === 'user') fillUser(article, message, index, actions);
  else updateAnswer(article, message, index, actions);
  return article;
}

function fillUser(article, message, index, actions) {
  article.replaceChildren();
  if (message.images?.length) {
    const images = element('div', 'images');
    for (const src of message.images) {
      const img = element('img', 'thumb');
      img.src = src;
      img.alt = 'attached image';
      img.addEventListener('click', () => actions.openImage(src));
      images.append(img);
    }
    article.append(images);
  }
  if (message.text) article.append(element('div', 'body', message.text));
  const bar = element('div', 'actions');
  bar.append(button('Edit', 'edit idle-only', () => startEdit(article, message, index, actions)));
  article.append(bar);
}

function startEdit(article, message, index, actions) {
  article.classList.add('editing');
  const area = element('textarea', 'edit-text');
  area.value = message.text;
  area.rows = Math.min(12, Math.max(2, message.text.split('\n').length));
  const save = () => actions.edit(index, area.value);
  const cancel = () => {
    article.classList.remove('editing');
    fillUser(article, message, index, actions);
  };
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.stopPropagation();
      cancel();
    }
  });
  const bar = element('div', 'actions');
  bar.append(button('Cancel', 'cancel-edit', cancel), button('Send', 'save-edit primary', save));
  for (const child of [...article.children]) if (!child.classList.contains('images')) child.remove();
  article.append(area, bar);
  area.focus();
}

/** (Re)draws an answer: Markdown body, error, figures, actions. */
export function updateAnswer(article, message, index, actions) {
  article.dataset.done = message.done ?? 'streaming';
  article.classList.toggle('error', message.done === 'error');
  const body = element('div', 'body markdown');
  body.append(renderMarkdown(message.text));
  if (message.done === 'streaming' || message.done === undefined) {
    body.classList.toggle('waiting', message.text === '');
  }
  const parts = [body];
  if (message.error) parts.push(element('div', 'error-text', message.error));
  if (message.stats) parts.push(element('footer', 'stats', formatStats(message.stats)));
  if (message.done && message.done !== 'streaming') {
    const bar = element('div', 'actions');
    if (message.text) bar.append(button('Copy', 'copy', (e) => flash(e.target, copyText(message.text))));
    const again = message.done === 'error' ? 'Retry' : 'Regenerate';
    bar.append(button(again, `${again.toLowerCase()} idle-only`, () => actions.regenerate(index)));
    parts.push(bar);
  }
  article.replaceChildren(...parts);
}

/** Replaces only the Markdown body (cheap enough for every streamed piece). */
export function updateAnswerText(article, text) {
  const body = article.querySelector('.body');
  body.replaceChildren(renderMarkdown(text));
  body.classList.toggle('waiting', text === '');
}

async function flash(target, done) {
  target.textContent = (await done) ? 'Copied' : 'Copy failed';
  setTimeout(() => {
    target.textContent = 'Copy';
  }, 1500);
}

/** "0.42 s to first token · 18.3 tokens/s · 57 tokens · stop" */
export function formatStats(stats) {
  const parts = [];
  if (stats.ttftMs !== undefined) parts.push(`${(stats.ttftMs / 1000).toFixed(2)} s to first token`);
  if (stats.tokensPerSecond !== undefined) parts.push(`${stats.tokensPerSecond.toFixed(1)} tokens/s`);
  if (stats.completionTokens !== undefined) {
    parts.push(`${stats.completionTokens} token${stats.completionTokens === 1 ? '' : 's'}`);
  }
  if (stats.finishReason) parts.push(stats.finishReason);
  return parts.join(' · ');
}

/**
 * The sidebar list. `actions`: {open(id), rename(id, title), remove(id)}. Rename edits the title in
 * place (Enter keeps, Esc drops); Delete asks again on the same button before it deletes.
 */
export function renderConversationList(list, conversations, currentId, actions) {
  list.replaceChildren(
    ...conversations.map((c) => {
      const item = element('li', c.id === currentId ? 'current' : '');
      item.dataset.id = c.id;
      const open = button(c.title || 'New chat', 'open', () => actions.open(c.id));
      open.title = c.title;
      if (c.id === currentId) open.setAttribute('aria-current', 'true');
      const rename = button('Rename', 'rename', () => startRename(item, c, actions));
      const remove = button('Delete', 'delete', () => {
        if (remove.dataset.armed) actions.remove(c.id);
        else {
          remove.dataset.armed = 'true';
          remove.textContent = 'Delete?';
          setTimeout(() => {
            delete remove.dataset.armed;
            remove.textContent = 'Delete';
          }, 3000);
        }
      });
      item.append(open, rename, remove);
      return item;
    }),
  );
}

function startRename(item, conversation, actions) {
  const input = element('input', 'rename-input');
  input.value = conversation.title;
  input.setAttribute('aria-label', 'Conversation name');
  let finished = false;
  const finish = (keep) => {
    if (finished) return;
    finished = true;
    const title = input.value.trim();
    actions.rename(conversation.id, keep && title ? title : conversation.title);
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') finish(true);
    else if (event.key === 'Escape') {
      event.stopPropagation();
      finish(false);
    }
  });
  input.addEventListener('blur', () => finish(true));
  item.replaceChildren(input);
  input.focus();
  input.select();
}
