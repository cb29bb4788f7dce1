/**
 * Atlassian Document Format → plain text. Blocks (paragraphs, headings, list items, code blocks,
 * table cells) end with a line break and inline nodes are joined, so a heading does not run into
 * the paragraph after it; mentions, emoji and dates give their visible text.
 */

interface AdfNode {
  type?: string;
  text?: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
}

const BLOCKS = new Set(['paragraph', 'heading', 'codeBlock', 'blockquote', 'listItem', 'tableRow', 'panel', 'rule', 'mediaGroup', 'mediaSingle', 'taskItem', 'decisionItem']);

/** True for an ADF document (`{ type: 'doc', content: [...] }`). */
export function isAdfDocument(value: unknown): value is AdfNode {
  return typeof value === 'object' && value !== null && (value as AdfNode).type === 'doc' && Array.isArray((value as AdfNode).content);
}

function inline(node: AdfNode): string {
  switch (node.type) {
    case 'text':
      return node.text ?? '';
    case 'hardBreak':
      return '\n';
    case 'mention':
      return String(node.attrs?.text ?? '');
    case 'emoji':
      return String(node.attrs?.text ?? node.attrs?.shortName ?? '');
    case 'date':
      return typeof node.attrs?.timestamp === 'string' ? new Date(Number(node.attrs.timestamp)).toISOString().slice(0, 10) : '';
    case 'inlineCard':
      return String(node.attrs?.url ?? '');
    case 'status':
      return String(node.attrs?.text ?? '');
    case 'tableCell':
    case 'tableHeader':
      return `${(node.content ?? []).map(walk).join('').trimEnd()}\t`;
    default:
      return (node.content ?? []).map(walk).join('');
  }
}

function walk(node: AdfNode): string {
  const text = inline(node);
  if (node.type && BLOCKS.has(node.type)) return `${text.replace(/\t$/, '')}\n`;
  return text;
}

/**
 * The text of an ADF document.
 * @example
 * adfToText({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hello' }] }] }) // → 'Hello'
 */
export function adfToText(doc: unknown): string {
  if (!isAdfDocument(doc)) return typeof doc === 'string' ? doc : JSON.stringify(doc);
  return (doc.content ?? []).map(walk).join('').replace(/\n+$/, '');
}

/** Plain text as an ADF document: one paragraph per line (what Jira Cloud's v3 API takes for rich-text fields). */
export function textToAdf(text: string): { type: 'doc'; version: 1; content: AdfNode[] } {
  const lines = text.split(/\r?\n/);
  return { type: 'doc', version: 1, content: lines.map((line) => ({ type: 'paragraph', content: line ? [{ type: 'text', text: line }] : [] })) };
}
