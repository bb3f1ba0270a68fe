/**
 * Generates the app and tray icons into resources/ deterministically (same bytes on every run), so the
 * committed images can be checked against their source. Run: `npx tsx tools/make-icons.ts`.
 *
 * Tray states are told apart by shape as well as colour (colour-blind users, monochrome macOS bar):
 * all reachable = filled disc, some = half-filled ring, none = empty ring with a slash.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { deflateSync } from 'node:zlib'

/** The three tray icon states. */
export type IconHealth = 'all' | 'some' | 'none'
type Rgb = readonly [number, number, number]
/** Coverage of a shape at a point in unit coordinates (0..1 across the icon), 0 or 1. */
type Shape = (x: number, y: number) => boolean

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** Encodes RGBA pixels (row-major, 4 bytes each) as a PNG. */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** Wraps PNGs in an .ico container (PNG entries, supported since Windows Vista). */
export function encodeIco(images: readonly { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2) // type: icon
  header.writeUInt16LE(images.length, 4)
  const entries: Buffer[] = []
  let offset = 6 + 16 * images.length
  for (const { size, png } of images) {
    const e = Buffer.alloc(16)
    e[0] = size >= 256 ? 0 : size
    e[1] = size >= 256 ? 0 : size
    e.writeUInt16LE(1, 4) // colour planes
    e.writeUInt16LE(32, 6) // bits per pixel
    e.writeUInt32LE(png.length, 8)
    e.writeUInt32LE(offset, 12)
    offset += png.length
    entries.push(e)
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)])
}

/** Layers painted back to front; each pixel is supersampled `ss`×`ss` for smooth edges. */
function render(size: number, layers: readonly { shape: Shape; color: Rgb }[], ss = 4): Buffer {
  const out = Buffer.alloc(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size
          const y = (py + (sy + 0.5) / ss) / size
          let hit: Rgb | null = null
          for (const layer of layers) if (layer.shape(x, y)) hit = layer.color
          if (hit) {
            r += hit[0]
            g += hit[1]
            b += hit[2]
            a += 1
          }
        }
      }
      const i = (py * size + px) * 4
      // Colour is the average of covered samples (no dark fringe); alpha is the coverage.
      out[i] = a ? Math.round(r / a) : 0
      out[i + 1] = a ? Math.round(g / a) : 0
      out[i + 2] = a ? Math.round(b / a) : 0
      out[i + 3] = Math.round((255 * a) / (ss * ss))
    }
  }
  return out
}

const disc =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r
const ring =
  (cx: number, cy: number, r: number, w: number): Shape =>
  (x, y) => {
    const d = Math.hypot(x - cx, y - cy)
    return d <= r && d >= r - w
  }
const segment =
  (ax: number, ay: number, bx: number, by: number, w: number): Shape =>
  (x, y) => {
    const dx = bx - ax
    const dy = by - ay
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= w / 2
  }
const and =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) && b(x, y)
const or =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y))

/** The tray glyph of a health state, as one shape. */
function trayGlyph(health: IconHealth, size: number): Shape {
  // Keep strokes at least ~1.6 device pixels thick at 16 px.
  const stroke = Math.max(1.6 / size, 0.11)
  const outer = ring(0.5, 0.5, 0.44, stroke)
  switch (health) {
    case 'all':
      return disc(0.5, 0.5, 0.44)
    case 'some':
      return or(
        outer,
        and(disc(0.5, 0.5, 0.44), (x) => x <= 0.5),
      )
    case 'none':
      return or(outer, segment(0.2, 0.8, 0.8, 0.2, stroke))
  }
}

const STATE_COLORS: Record<IconHealth, Rgb> = {
  all: [46, 160, 67],
  some: [210, 153, 34],
  none: [139, 148, 158],
}
const BLACK: Rgb = [0, 0, 0]

/** A rounded square, for the app icon's tile. */
const roundedSquare =
  (inset: number, radius: number): Shape =>
  (x, y) => {
    const lo = inset + radius
    const hi = 1 - inset - radius
    const cx = Math.min(Math.max(x, lo), hi)
    const cy = Math.min(Math.max(y, lo), hi)
    return (
      x >= inset &&
      x <= 1 - inset &&
      y >= inset &&
      y <= 1 - inset &&
      Math.hypot(x - cx, y - cy) <= radius
    )
  }

/** The app icon: a hub routing to three servers, on a dark tile. */
function appIcon(size: number): Buffer {
  const hub = [0.5, 0.56] as const
  const nodes = [
    [0.26, 0.3],
    [0.74, 0.3],
    [0.5, 0.84],
  ] as const
  const links = or(...nodes.map(([x, y]) => segment(hub[0], hub[1], x, y, 0.045)))
  return render(
    size,
    [
      { shape: roundedSquare(0.04, 0.2), color: [17, 24, 39] },
      { shape: links, color: [148, 163, 184] },
      { shape: disc(nodes[0][0], nodes[0][1], 0.1), color: STATE_COLORS.all },
      { shape: disc(nodes[1][0], nodes[1][1], 0.1), color: [56, 139, 253] },
      { shape: disc(nodes[2][0], nodes[2][1], 0.1), color: STATE_COLORS.some },
      { shape: disc(hub[0], hub[1], 0.14), color: [241, 245, 249] },
      { shape: disc(hub[0], hub[1], 0.07), color: [17, 24, 39] },
    ],
    2,
  )
}

/** Every generated file, by path relative to resources/. */
export function renderIcons(): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  files.set('icon.png', encodePng(512, 512, appIcon(512)))
  for (const health of ['all', 'some', 'none'] as const) {
    const png = (size: number, color: Rgb) =>
      encodePng(size, size, render(size, [{ shape: trayGlyph(health, size), color }]))
    const p16 = png(16, STATE_COLORS[health])
    const p32 = png(32, STATE_COLORS[health])
    files.set(`tray/tray-${health}.png`, p16)
    files.set(`tray/tray-${health}@2x.png`, p32)
    files.set(`tray/tray-${health}Template.png`, png(16, BLACK))
    files.set(`tray/tray-${health}Template@2x.png`, png(32, BLACK))
    files.set(
      `tray/tray-${health}.ico`,
      encodeIco([
        { size: 16, png: p16 },
        { size: 32, png: p32 },
      ]),
    )
  }
  return files
}

/** Writes the icons under `resourcesDir`. */
export function writeIcons(resourcesDir: string): string[] {
  const written: string[] = []
  for (const [rel, data] of renderIcons()) {
    const path = join(resourcesDir, rel)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, data)
    written.push(rel)
  }
  return written
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = resolve(import.meta.dirname, '..', 'resources')
  for (const rel of writeIcons(dir)) console.log(`wrote resources/${rel}`)
}
