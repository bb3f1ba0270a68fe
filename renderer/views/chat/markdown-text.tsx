import { memo } from 'react'
import type { AnchorHTMLAttributes } from 'react'
import ReactMarkdown from 'react-markdown'
import type { Components } from 'react-markdown'
import rehypeHighlight from 'rehype-highlight'
import remarkGfm from 'remark-gfm'

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

const components: Components = { a: ({ node: _node, ...props }) => <AnswerLink {...props} /> }

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
