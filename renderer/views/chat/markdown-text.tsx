import { memo } from 'react'
import type { AnchorHTMLAttributes, ReactNode } from 'react'
import ReactMarkdown from 'react-markdown'
import type { Components } from 'react-markdown'
import rehypeHighlight from 'rehype-highlight'
import remarkGfm from 'remark-gfm'
import { CopyButton } from './copy-button'

/** The parts of a hast node this file reads (react-markdown hands the nodes to components). */
interface HastLike {
  type: string
  value?: string
  tagName?: string
  properties?: { className?: unknown }
  children?: HastLike[]
}

/** The text of a node and everything under it (the highlighted spans' text, in order). */
export function hastText(node: HastLike | undefined): string {
  if (!node) return ''
  if (node.type === 'text') return node.value ?? ''
  return (node.children ?? []).map(hastText).join('')
}

/** The language of a fenced block (` ```ts `) from its code element's `language-…` class, if any. */
export function codeLanguage(pre: HastLike | undefined): string | null {
  const code = pre?.children?.find((c) => c.tagName === 'code')
  const classes = code?.properties?.className
  const list = Array.isArray(classes) ? classes.map(String) : []
  const lang = list.find((c) => c.startsWith('language-'))
  return lang ? lang.slice('language-'.length) : null
}

/** A code block with its language named and a Copy button for its text. */
function CodeBlock({ node, children }: { node: HastLike | undefined; children: ReactNode }) {
  const language = codeLanguage(node)
  const text = hastText(node).replace(/\n$/, '')
  return (
    <div className="code-block">
      <div className="code-head">
        <span className="code-lang">{language ?? 'text'}</span>
        <CopyButton text={text} label={language ? `Copy ${language} code` : 'Copy code'} />
      </div>
      <pre>{children}</pre>
    </div>
  )
}

/** True for an absolute http(s) link, the only kind an answer may open (outside the app). */
export function isWebLink(href: string | undefined): href is string {
  if (!href) return false
  try {
    const url = new URL(href)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/**
 * A link in an answer. Web links open in a new window — the browser's tab under `serve`, the user's
 * browser in the desktop app (the shell's window-open handler vets them). Anything else (relative
 * paths, `#anchors`, other schemes) would navigate the app's own window away, so it stays inert text.
 */
function AnswerLink({ href, children }: AnchorHTMLAttributes<HTMLAnchorElement>) {
  if (isWebLink(href)) {
    return (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    )
  }
  return (
    <span className="inert-link" title={href ? `Link not opened: ${href}` : undefined}>
      {children}
    </span>
  )
}

const components: Components = {
  a: ({ node: _node, ...props }) => <AnswerLink {...props} />,
  pre: ({ node, children }) => (
    <CodeBlock node={node as HastLike | undefined}>{children}</CodeBlock>
  ),
}

/** An answer rendered as markdown (GFM tables, lists) with highlighted code blocks. */
export const MarkdownText = memo(function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeHighlight]}
        components={components}
      >
        {text}
      </ReactMarkdown>
    </div>
  )
})
