// Model output as Markdown: markdown-it with raw HTML off (tags in the answer stay text), then
// DOMPurify over its output, then copy buttons on code blocks. Output never runs as HTML or script:
// markdown-it drops javascript:/vbscript:/file:/data: link targets, DOMPurify strips anything
// executable that could still get through, and the page's Content-Security-Policy runs no inline
// script and loads no remote image.
import markdownit from '/vendor/markdown-it.mjs';
import DOMPurify from '/vendor/purify.mjs';

const md = markdownit({ html: false, linkify: true, breaks: false });

// Images in answers would be fetched from wherever the model points (a prompt-injected answer
// could carry the conversation out in the URL): show them as links instead.
md.renderer.rules.image = (tokens, index) => {
  const token = tokens[index];
  const alt = md.utils.escapeHtml(token.content || 'image');
  const src = token.attrGet('src');
  return src ? `<a href="${md.utils.escapeHtml(src)}">${alt}</a>` : alt;
};

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

const PURIFY_OPTIONS = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'video', 'audio'],
  FORBID_ATTR: ['id', 'name'],
};

/** HTML made safe to insert (also what renderMarkdown uses); exported for the page's tests. */
export function sanitizeHtml(html) {
  return DOMPurify.sanitize(html, { ...PURIFY_OPTIONS, RETURN_DOM_FRAGMENT: true });
}

/** Markdown text as a DocumentFragment: sanitised, code blocks with a language label and Copy. */
export function renderMarkdown(text) {
  const fragment = sanitizeHtml(md.render(text));
  for (const pre of fragment.querySelectorAll('pre')) decorateCodeBlock(pre);
  return fragment;
}

function decorateCodeBlock(pre) {
  const code = pre.querySelector('code');
  const language = [...(code?.classList ?? [])].find((c) => c.startsWith('language-'))?.slice(9) ?? '';
  const block = document.createElement('div');
  block.className = 'code-block';
  const bar = document.createElement('div');
  bar.className = 'code-bar';
  const label = document.createElement('span');
  label.textContent = language || 'code';
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'copy-code';
  copy.textContent = 'Copy';
  copy.addEventListener('click', async () => {
    const ok = await copyText((code ?? pre).textContent);
    copy.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => {
      copy.textContent = 'Copy';
    }, 1500);
  });
  bar.append(label, copy);
  pre.replaceWith(block);
  block.append(bar, pre);
}

/** Copies text; falls back to a hidden textarea where the Clipboard API is missing (plain http). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
