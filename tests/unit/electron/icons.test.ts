// The committed icons are exactly what tools/make-icons.ts generates, and every file the tray asks for
// exists in the shape its platform needs.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { renderIcons } from '../../../tools/make-icons'
import { trayIconFile } from '../../../electron/main/tray-template'

const RESOURCES = resolve(import.meta.dirname, '../../../resources')
const generated = renderIcons()

function pngSize(buf: Buffer): { width: number; height: number; colorType: number } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  expect(buf.subarray(12, 16).toString('ascii')).toBe('IHDR')
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), colorType: buf[25] ?? -1 }
}

describe('icons', () => {
  it.each([...generated.keys()])('%s is committed and up to date', (rel) => {
    const path = join(RESOURCES, rel)
    expect(existsSync(path), `run: npx tsx tools/make-icons.ts`).toBe(true)
    expect(readFileSync(path).equals(generated.get(rel)!)).toBe(true)
  })

  it('generates the same bytes every run', () => {
    const again = renderIcons()
    for (const [rel, data] of generated) expect(again.get(rel)!.equals(data), rel).toBe(true)
  })

  it.each<[NodeJS.Platform, number]>([
    ['linux', 16],
    ['darwin', 16],
    ['win32', 0],
  ])('has every tray state for %s', (platform, size) => {
    for (const health of ['all', 'some', 'none'] as const) {
      const file = generated.get(`tray/${trayIconFile(platform, health)}`)
      expect(file, `${platform} ${health}`).toBeDefined()
      if (size) expect(pngSize(file!)).toEqual({ width: size, height: size, colorType: 6 })
    }
  })

  it('has @2x variants at 32 px', () => {
    for (const name of ['tray-all@2x.png', 'tray-noneTemplate@2x.png']) {
      expect(pngSize(generated.get(`tray/${name}`)!)).toMatchObject({ width: 32, height: 32 })
    }
  })

  it('macOS template images are black + alpha only, with a visible glyph', () => {
    for (const [rel, data] of generated) {
      if (!rel.includes('Template')) continue
      const { width } = pngSize(data)
      // Our encoder writes one IDAT with filter 0 on every row: the pixels are the inflated rows.
      const raw = inflateSync(data.subarray(41, data.length - 12))
      let opaque = 0
      for (let i = 0; i < raw.length; i += width * 4 + 1) {
        expect(raw[i], rel).toBe(0)
        for (let p = i + 1; p < i + 1 + width * 4; p += 4) {
          expect([raw[p], raw[p + 1], raw[p + 2]], rel).toEqual([0, 0, 0])
          if ((raw[p + 3] ?? 0) > 128) opaque++
        }
      }
      expect(opaque, rel).toBeGreaterThan(width)
    }
  })

  it('the .ico holds 16 and 32 px PNG images', () => {
    const ico = generated.get('tray/tray-some.ico')!
    expect(ico.readUInt16LE(2)).toBe(1)
    expect(ico.readUInt16LE(4)).toBe(2)
    const sizes = [0, 1].map((i) => {
      const entry = 6 + 16 * i
      const len = ico.readUInt32LE(entry + 8)
      const offset = ico.readUInt32LE(entry + 12)
      const png = ico.subarray(offset, offset + len)
      expect(png.length).toBe(len)
      return [ico[entry], pngSize(png).width]
    })
    expect(sizes).toEqual([
      [16, 16],
      [32, 32],
    ])
  })

  it('the app icon is 512 px', () => {
    expect(pngSize(generated.get('icon.png')!)).toEqual({ width: 512, height: 512, colorType: 6 })
  })
})
