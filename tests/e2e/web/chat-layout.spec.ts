// Issue 15: the chat is first-class at the tray popover's size (420×700) and at desktop sizes.
import { expect, test } from '@playwright/test'
import {
  SIZES,
  expectNoSidewaysScroll,
  openNewChat,
  sendMessage,
  waitForAnswers,
} from './chat-helpers'

test.describe.configure({ mode: 'serial' })

/** Screenshots for docs/ui.md when AILLM_E2E_DOC_SHOTS=1, else beside the test's other output. */
function shotPath(name: string, outputPath: (n: string) => string): string {
  return process.env['AILLM_E2E_DOC_SHOTS'] === '1'
    ? `docs/screenshots/${name}.png`
    : outputPath(`${name}.png`)
}

test.describe('at 420×700 (tray popover)', () => {
  test.use({ viewport: SIZES.popover })

  test('one column: header in one row, no sideways scroll, Send in view, conversations in a drawer', async ({
    page,
  }, info) => {
    await openNewChat(page)
    await sendMessage(page, 'Hi! Is this readable at tray size?')
    await waitForAnswers(page, 1)
    await expectNoSidewaysScroll(page)
    const header = await page.locator('.app-header').boundingBox()
    expect(header?.height).toBeLessThan(48)
    await expect(page.getByRole('button', { name: 'Send' })).toBeInViewport({ ratio: 1 })
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeInViewport({ ratio: 1 })
    await expect(page.getByRole('navigation', { name: 'Conversations' })).toHaveCount(0)
    await page.screenshot({ path: shotPath('chat-420x700', info.outputPath.bind(info)) })

    const toggle = page.getByRole('button', { name: '☰ Conversations' })
    await expect(toggle).toHaveAttribute('aria-expanded', 'false')
    await toggle.click()
    const drawer = page.getByRole('dialog', { name: 'Conversations' })
    await expect(drawer).toBeVisible()
    await expect(toggle).toHaveAttribute('aria-expanded', 'true')
    // Focus moves into the drawer and stays there.
    await expect(drawer.getByRole('button', { name: 'New conversation' })).toBeFocused()
    await page.keyboard.press('Shift+Tab')
    await expect(drawer.locator(':focus')).toHaveCount(1)
    await expectNoSidewaysScroll(page)
    await page.screenshot({ path: shotPath('chat-420x700-drawer', info.outputPath.bind(info)) })

    await page.keyboard.press('Escape')
    await expect(drawer).toHaveCount(0)
    await expect(toggle).toBeFocused()

    // A click outside closes it too.
    await toggle.click()
    await expect(drawer).toBeVisible()
    await page.mouse.click(400, 400)
    await expect(drawer).toHaveCount(0)

    // Opening a conversation from it closes it and shows that conversation.
    await page.getByRole('button', { name: 'New chat' }).click()
    await expect(page.getByRole('heading', { name: 'Ask anything' })).toBeVisible()
    await toggle.click()
    await drawer.getByRole('button', { name: /^Hi! Is this readable at tray size\?/ }).click()
    await expect(drawer).toHaveCount(0)
    await expect(page.getByRole('article', { name: 'Your message' })).toContainText(
      'Hi! Is this readable at tray size?',
    )
  })

  test('a long unbroken line in a message does not widen the page', async ({ page }) => {
    await openNewChat(page)
    await sendMessage(page, `Hi! ${'x'.repeat(300)}`)
    await waitForAnswers(page, 1)
    await expectNoSidewaysScroll(page)
    await expect(page.getByRole('button', { name: 'Send' })).toBeInViewport({ ratio: 1 })
  })
})

for (const [name, size] of [
  ['1024×700', SIZES.laptop],
  ['1440×900', SIZES.desktop],
] as const) {
  test.describe(`at ${name}`, () => {
    test.use({ viewport: size })

    test('the conversation list beside the messages, no drawer button, no sideways scroll', async ({
      page,
    }, info) => {
      await openNewChat(page)
      await sendMessage(page, `Hi! Desktop layout at ${name}`)
      await waitForAnswers(page, 1)
      await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible()
      await expect(page.getByRole('button', { name: '☰ Conversations' })).toHaveCount(0)
      await expectNoSidewaysScroll(page)
      await expect(page.getByRole('button', { name: 'Send' })).toBeInViewport({ ratio: 1 })
      const header = await page.locator('.app-header').boundingBox()
      expect(header?.height).toBeLessThan(56)
      await page.screenshot({
        path: shotPath(`chat-${size.width}x${size.height}`, info.outputPath.bind(info)),
      })
    })
  })
}
