/**
 * Images attached in the composer: which files are taken, how they are shrunk to what a vision model
 * reads anyway, and the errors that name the file when one is refused.
 */

/** Image types the vision models read. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const
/** Largest file accepted (before shrinking). */
export const MAX_IMAGE_FILE_BYTES = 10 * 1024 * 1024
/** Most images on one message (the contract's limit too). */
export const MAX_ATTACHED_IMAGES = 4
/** Longest side after shrinking: vision models scale to well under this (gemma3: 896 px). */
export const MAX_IMAGE_SIDE = 1024
/** All of a message's images together, as base64: a message must fit one WebSocket frame (1 MiB). */
export const MAX_IMAGES_BASE64 = 900_000

/** One attached image, ready to send. */
export interface AttachedImage {
  id: string
  name: string
  /** Base64 without the `data:` prefix, as Ollama takes it. */
  base64: string
}

/** Whether `file` can be attached; the reason names the file when not. */
export function imageFileProblem(file: {
  name: string
  type: string
  size: number
}): string | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type))
    return `${file.name} is not an image we can send (${file.type || 'unknown type'}); attach a PNG, JPEG, WebP or GIF.`
  if (file.size > MAX_IMAGE_FILE_BYTES)
    return `${file.name} is ${megabytes(file.size)}; images up to ${megabytes(MAX_IMAGE_FILE_BYTES)} can be attached.`
  return null
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/** The media type of base64 image data, read from its first bytes (for showing it back). */
export function imageMediaType(base64: string): string {
  if (base64.startsWith('/9j/')) return 'image/jpeg'
  if (base64.startsWith('iVBOR')) return 'image/png'
  if (base64.startsWith('R0lG')) return 'image/gif'
  if (base64.startsWith('UklGR')) return 'image/webp'
  return 'application/octet-stream'
}

/** A data: URL to show stored base64 image data. */
export function imageDataUrl(base64: string): string {
  return `data:${imageMediaType(base64)};base64,${base64}`
}

function base64OfBytes(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/**
 * The file as base64, shrunk to {@link MAX_IMAGE_SIDE} (JPEG) when it is larger and the browser can
 * draw it; else as it is. A GIF is sent as it is (a redraw would lose its frames).
 */
export async function readImage(file: File): Promise<string> {
  if (file.type !== 'image/gif' && typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file)
      const scale = Math.min(1, MAX_IMAGE_SIDE / Math.max(bitmap.width, bitmap.height))
      if (scale < 1 || file.size > 300_000) {
        const canvas = document.createElement('canvas')
        canvas.width = Math.max(1, Math.round(bitmap.width * scale))
        canvas.height = Math.max(1, Math.round(bitmap.height * scale))
        const g = canvas.getContext('2d')
        if (g) {
          g.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
          const url = canvas.toDataURL('image/jpeg', 0.85)
          const comma = url.indexOf(',')
          if (url.startsWith('data:image/jpeg') && comma > 0) return url.slice(comma + 1)
        }
      }
    } catch {
      // Not drawable here (an unusual encoding): send the file as it is.
    }
  }
  return base64OfBytes(new Uint8Array(await file.arrayBuffer()))
}
