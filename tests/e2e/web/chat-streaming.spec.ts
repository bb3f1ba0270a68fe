// Issue 15: Stop in place of Send (Esc stops), one answer at a time with a visible queue, scroll lock.
import { expect, test } from '@playwright/test'
import { SIZES, openNewChat, sendMessage, setLocalTrickle, waitForAnswers } from './chat-helpers'

test.describe.configure({ mode: 'serial' })
test.afterEach(async () => setLocalTrickle(null))

for (const [name, size] of [
  ['420×700', SIZES.popover],
  ['1024×700', SIZES.laptop],
] as const) {
  test.describe(`at ${name}`, () => {
    test.use({ viewport: size })

    test('Send becomes Stop while the answer streams; Esc stops it', async ({ page }) => {
      await setLocalTrickle(400)
      await openNewChat(page)
      await sendMessage(page, 'Hi! Tell me a long story please')
      const stop = page.getByRole('button', { name: 'Stop' })
      await expect(stop).toBeVisible()
      await expect(stop).toBeInViewport({ ratio: 1 })
      await expect(page.getByRole('button', { name: 'Send' })).toHaveCount(0)
      // Wait until text streams, then Esc (focus is still in the message box).
      await expect(page.getByRole('article', { name: 'Answer' })).toContainText('[gemma3:1b')
      await page.keyboard.press('Escape')
      await expect(page.getByRole('button', { name: 'Send' })).toBeVisible()
      await expect(stop).toHaveCount(0)
      await expect(page.getByRole('article', { name: 'Answer' })).toContainText('Stopped')
    })

    test('the Stop button stops it too', async ({ page }) => {
      await setLocalTrickle(400)
      await openNewChat(page)
      await sendMessage(page, 'Hi! Another long story')
      await expect(page.getByRole('article', { name: 'Answer' })).toContainText('[gemma3:1b')
      await page.getByRole('button', { name: 'Stop' }).click()
      await expect(page.getByRole('button', { name: 'Send' })).toBeVisible()
      await expect(page.getByRole('article', { name: 'Answer' })).toContainText('Stopped')
    })
  })
}

test.describe('at 1024×700', () => {
  test.use({ viewport: SIZES.laptop })

  test('a message sent while an answer streams waits as "queued", then goes after it', async ({
    page,
  }) => {
    await setLocalTrickle(250)
    await openNewChat(page)
    await sendMessage(page, 'Hi! First question')
    await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible()
    await sendMessage(page, 'Hi! Second question')
    const queued = page.getByRole('article', { name: 'Queued message' })
    await expect(queued).toContainText('Hi! Second question')
    await expect(queued).toContainText('Queued — sent when the answer above is done.')
    // Only one answer streams meanwhile.
    await expect(page.getByRole('article', { name: 'Answer' })).toHaveCount(1)
    await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('')
    await setLocalTrickle(null)
    await waitForAnswers(page, 2, 45_000)
    await expect(queued).toHaveCount(0)
    // In order, the first answer complete before the second question went out.
    const turns = page.locator('.messages > article')
    await expect(turns).toHaveCount(4)
    await expect(turns.nth(0)).toContainText('Hi! First question')
    await expect(turns.nth(1)).toContainText('[gemma3:1b@localhost]')
    await expect(turns.nth(1)).not.toContainText('Interrupted')
    await expect(turns.nth(1)).not.toContainText('Stopped')
    await expect(turns.nth(2)).toContainText('Hi! Second question')
    await expect(turns.nth(3)).toContainText('[gemma3:1b@localhost]')
  })

  test('a queued message can be taken back before it goes', async ({ page }) => {
    await setLocalTrickle(250)
    await openNewChat(page)
    await sendMessage(page, 'Hi! Only this one')
    await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible()
    await sendMessage(page, 'Hi! Not this one')
    await page.getByRole('button', { name: 'Don’t send' }).click()
    await expect(page.getByRole('article', { name: 'Queued message' })).toHaveCount(0)
    await setLocalTrickle(null)
    await waitForAnswers(page, 1, 45_000)
    await page.waitForTimeout(1500)
    await expect(page.getByRole('article', { name: 'Your message' })).toHaveCount(1)
  })
})

test.describe('at 420×700: scroll lock', () => {
  test.use({ viewport: SIZES.popover })

  test('scrolling up lets go of the bottom, "Jump to latest" and scrolling down pin it again', async ({
    page,
  }) => {
    await openNewChat(page)
    // Fill the log with a few turns (they queue and go one after another).
    for (let i = 1; i <= 5; i++) await sendMessage(page, `Hi! Filler message number ${i}`)
    await waitForAnswers(page, 5, 60_000)
    const log = page.getByRole('log', { name: 'Messages' })
    const gap = () =>
      log.evaluate((el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight))
    expect(await gap()).toBeLessThanOrEqual(32)

    await setLocalTrickle(300)
    await sendMessage(page, 'Hi! A slow answer to read along')
    await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible()
    await log.hover({ position: { x: 50, y: 50 } })
    await page.mouse.wheel(0, -600)
    const jump = page.getByRole('button', { name: /Jump to latest/ })
    await expect(jump).toBeVisible()
    const top = await log.evaluate((el) => el.scrollTop)
    // The answer keeps growing; the log stays where the person is reading.
    await expect(page.getByRole('article', { name: 'Answer' }).last()).toContainText('[gemma3:1b')
    await page.waitForTimeout(1500)
    expect(Math.abs((await log.evaluate((el) => el.scrollTop)) - top)).toBeLessThanOrEqual(2)
    expect(await gap()).toBeGreaterThan(100)

    await jump.click()
    await expect(jump).toHaveCount(0)
    await page.waitForTimeout(1000)
    expect(await gap()).toBeLessThanOrEqual(32)

    // Up again, then back down by hand: pinned again, no button.
    await log.hover({ position: { x: 50, y: 50 } })
    await page.mouse.wheel(0, -600)
    await expect(jump).toBeVisible()
    await page.mouse.wheel(0, 5000)
    await expect(jump).toHaveCount(0)
    await page.waitForTimeout(1000)
    expect(await gap()).toBeLessThanOrEqual(32)
    await setLocalTrickle(null)
    await waitForAnswers(page, 6, 45_000)
    expect(await gap()).toBeLessThanOrEqual(32)
  })
})
