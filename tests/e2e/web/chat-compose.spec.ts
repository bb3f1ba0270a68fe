// Issue 15: suggested prompts, a per-conversation system prompt and image attachments, against serve and
// the simulated seed fleet (gemma3:12b on remote reads images; gemma3:1b on localhost does not).
import { expect, test, type Page } from '@playwright/test'
import { SIZES, expectNoSidewaysScroll, openNewChat, waitForAnswers } from './chat-helpers'

test.use({ viewport: SIZES.popover })

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
)

async function dropFile(page: Page, name: string, type: string, text: string): Promise<void> {
  // A string: this project's tsconfig has no DOM types for the test side.
  await page.evaluate(`(() => {
    const dt = new DataTransfer()
    dt.items.add(new File([${JSON.stringify(text)}], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} }))
    document.querySelector('form.composer').dispatchEvent(
      new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
    )
  })()`)
}

test('suggested prompts fill the message box (never send) and are reachable by keyboard', async ({
  page,
}) => {
  await openNewChat(page)
  const suggestions = page.getByRole('region', { name: 'Try one of these' })
  // The seed fleet has a vision model (gemma3:12b): four suggestions, the image one included.
  await expect(suggestions.getByRole('button')).toHaveCount(4)
  await expect(suggestions.getByRole('button', { name: /^Ask about an image/ })).toBeVisible()
  await suggestions.getByRole('button', { name: /^A coding task/ }).focus()
  await page.keyboard.press('Enter')
  const box = page.getByRole('textbox', { name: 'Message' })
  await expect(box).toBeFocused()
  await expect(box).toHaveValue(/^Write a TypeScript function/)
  // Filled, not sent: the empty chat is still there.
  await expect(page.getByRole('article', { name: 'Your message' })).toHaveCount(0)
  await expect(page.getByRole('heading', { name: 'Ask anything' })).toBeVisible()
})

test('a system prompt is set from the header, kept with the conversation, and cleared', async ({
  page,
}, info) => {
  await openNewChat(page)
  await page.getByRole('button', { name: 'System prompt' }).click()
  const dialog = page.getByRole('dialog', { name: 'System prompt' })
  await expect(dialog.getByRole('textbox')).toBeFocused()
  await dialog.getByRole('textbox').fill('Answer in one short sentence.')
  await dialog.getByRole('button', { name: 'Save' }).click()
  await expect(dialog).toHaveCount(0)
  const set = page.getByRole('button', { name: 'System prompt ✓' })
  await expect(set).toBeVisible()
  await expect(page).toHaveURL(/#\/chat\/[^/]+$/)
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill('Hi!')
  await box.press('Enter')
  await waitForAnswers(page, 1)
  await expectNoSidewaysScroll(page)
  await page.screenshot({ path: info.outputPath('system-prompt-420.png') })
  // Stored with the conversation: still set after a reload.
  await page.reload()
  await expect(page.getByRole('button', { name: 'System prompt ✓' })).toHaveAttribute(
    'title',
    'System prompt: Answer in one short sentence.',
  )
  await page.getByRole('button', { name: 'System prompt ✓' }).click()
  await page
    .getByRole('dialog', { name: 'System prompt' })
    .getByRole('button', { name: 'Clear' })
    .click()
  await expect(page.getByRole('button', { name: 'System prompt', exact: true })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('button', { name: 'System prompt', exact: true })).toBeVisible()
})

test('an image goes to the vision model, stays in the history; a non-image is refused by name', async ({
  page,
}, info) => {
  await openNewChat(page)
  await dropFile(page, 'notes.txt', 'text/plain', 'not a picture')
  await expect(page.getByRole('alert')).toHaveText(
    /^notes\.txt is not an image we can send \(text\/plain\)/,
  )
  await page
    .getByLabel('Image files')
    .setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: PNG })
  const attached = page.getByRole('list', { name: 'Attached images' })
  await expect(attached.getByRole('img', { name: 'dot.png' })).toBeVisible()
  await page.getByRole('textbox', { name: 'Message' }).fill('Hi! What is in this picture?')
  await page.screenshot({ path: info.outputPath('image-attached-420.png') })
  await page.getByRole('button', { name: 'Send' }).click()
  await waitForAnswers(page, 1)
  // A greeting-sized message would go to gemma3:1b on localhost; with an image only a vision model may take it.
  await expect(page.locator('article[aria-label="Answer"] .route-badge')).toHaveText(
    /^gemma3:12b @ remote/,
  )
  const mine = page.getByRole('article', { name: 'Your message' })
  await expect(mine.getByRole('img', { name: 'Image 1 of 1' })).toBeVisible()
  await page.reload()
  await expect(
    page.getByRole('article', { name: 'Your message' }).getByRole('img', { name: 'Image 1 of 1' }),
  ).toHaveAttribute('src', `data:image/png;base64,${PNG.toString('base64')}`)
})
