/**
 * Every reason the classifier, the router or the executor can give, in one place (style.md point 5).
 * Logs, the UI and the API render these codes; never invent a code elsewhere.
 */
export const REASON_CODES = {
  // classifier
  GREETING: 'greeting',
  SHORT_MESSAGE: 'short-message',
  LONG_MESSAGE: 'long-message',
  CODE_BLOCK: 'code-block',
  CODE_KEYWORDS: 'code-keywords',
  EXPLANATION_KEYWORDS: 'explanation-keywords',
  REASONING_KEYWORDS: 'reasoning-keywords',
  WRITING_KEYWORDS: 'writing-keywords',
  MULTI_REQUIREMENT: 'multi-requirement',
  CONTEXT_CARRIED: 'context-carried',
  SMALL_TALK: 'small-talk',
  STACK_TRACE: 'stack-trace',
  EMPTY_MESSAGE: 'empty-message',
  NO_USER_MESSAGE: 'no-user-message',
  /** A fill-in-the-middle request (`suffix` on /api/generate): editor autocomplete, a code task. */
  CODE_COMPLETION: 'code-completion',
  // router
  MODE_AUTO: 'mode-auto',
  MODE_SERVER_PINNED: 'mode-server-pinned',
  MODE_MODEL_PINNED: 'mode-model-pinned',
  SINGLE_SERVER: 'single-server',
  MODEL_REQUESTED: 'model-requested',
  TIER_MATCH: 'tier-match',
  TIER_TOO_BIG: 'tier-too-big',
  TIER_TOO_SMALL: 'tier-too-small',
  SPECIALISATION_MATCH: 'specialisation-match',
  MODEL_LOADED: 'model-loaded',
  MODEL_COLD: 'model-cold',
  /** Loaded, but with another context length than the request's num_ctx: Ollama reloads it (a cold start). */
  CONTEXT_RELOAD: 'context-reload',
  PARTIAL_GPU: 'partial-gpu',
  PRIORITY_PRIMARY: 'priority-primary',
  PRIORITY_SECONDARY: 'priority-secondary',
  PRIORITY_FALLBACK: 'priority-fallback',
  SERVER_OFFLINE: 'server-offline',
  SERVER_DEGRADED: 'server-degraded',
  SERVER_UNTRUSTED: 'server-untrusted',
  BREAKER_OPEN: 'breaker-open',
  BUSY: 'busy',
  NOT_CHAT_MODEL: 'not-chat-model',
  NO_TOOL_SUPPORT: 'no-tool-support',
  NO_THINKING_SUPPORT: 'no-thinking-support',
  /** The request fills in the middle (`suffix`): models known to lack Ollama's `insert` capability are out. */
  NO_INSERT_SUPPORT: 'no-insert-support',
  /** The message carries images: only models that can read them (/api/show `vision`) take it. */
  NO_VISION_SUPPORT: 'no-vision-support',
  PREFERRED_MODEL: 'preferred-model',
  NO_CANDIDATES: 'no-candidates',
  MODEL_NOT_FOUND: 'model-not-found',
  /** A cloud model (it would send the conversation off the LAN), left out of `auto`. */
  CLOUD_MODEL: 'cloud-model',
  SMALLER_TIER_FALLBACK: 'smaller-tier-fallback',
  // executor
  CONNECT_FAILED: 'connect-failed',
  CONNECT_TIMEOUT: 'connect-timeout',
  FIRST_TOKEN_TIMEOUT: 'first-token-timeout',
  UPSTREAM_ERROR: 'upstream-error',
  INTERRUPTED_CONTINUED: 'interrupted-continued',
  CANCELLED: 'cancelled',
  STALL_TIMEOUT: 'stall-timeout',
  STREAM_DROPPED: 'stream-dropped',
  MALFORMED_CHUNK: 'malformed-chunk',
  /** A status check to a silent server went unanswered: the box froze. */
  SERVER_FROZEN: 'server-frozen',
  /** The predicted wait (a long load, a queue) was longer than the person should sit through. */
  WAIT_TOO_LONG: 'wait-too-long',
  /** The request could not even be sent (our side failed to serialise it): no server is to blame. */
  LOCAL_ERROR: 'local-error',
  /** The server refused the request for this model (prompt too long for its context, a capability it lacks). */
  MODEL_REFUSED: 'model-refused',
} as const

export type ReasonCode = (typeof REASON_CODES)[keyof typeof REASON_CODES]
