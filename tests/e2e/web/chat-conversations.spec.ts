// Issue 15: conversations have addresses (#/chat/<id>), the last one reopens; rename, search, delete + Undo.
import { expect, test } from '@playwright/test'
import { SIZES, addressId, openNewChat, sendMessage, waitForAnswers } from './chat-helpers'

test.describe.configure({ mode: 'serial' })

test.describe('at 1024×700', () => {
  test.use({ viewport: SIZES.laptop })

  test('each conversation has an address; a deep link opens it; #/chat reopens the last one', async ({
    page,
    context,
  }) => {
    await openNewChat(page)
    await sendMessage(page, 'Hi! Deep link number one')
    await waitForAnswers(page, 1)
    await expect(page).toHaveURL(/#\/chat\/[0-9a-f-]{36}$/)
    const first = addressId(page)
    const firstUrl = page.url()

    await page.getByRole('button', { name: 'New conversation' }).click()
    await expect(page).toHaveURL(/#\/chat\/new$/)
    await sendMessage(page, 'Hi! Deep link number two')
    await waitForAnswers(page, 1)
    await expect(page).toHaveURL(/#\/chat\/[0-9a-f-]{36}$/)
    const second = addressId(page)
    expect(second).not.toBeNull()
    expect(second).not.toBe(first)

    // A link (here: Back, then the saved address in a new tab) opens the conversation it names.
    const other = await context.newPage()
    await other.goto(firstUrl)
    await expect(
      other.getByRole('article', { name: 'Your message' }).locator('.user-text'),
    ).toHaveText('Hi! Deep link number one')
    await expect(other.getByRole('heading', { level: 2 })).toHaveText('Hi! Deep link number one')
    await other.close()

    // After a reload the conversation is still there, not an empty chat.
    await page.reload()
    await expect(
      page.getByRole('article', { name: 'Your message' }).locator('.user-text'),
    ).toHaveText('Hi! Deep link number two')
    // The tray opens #/chat: the last conversation comes back.
    await page.goto('/ui/#/dashboard')
    await page.goto('/ui/#/chat')
    await expect(page).toHaveURL(new RegExp(`#/chat/${second}$`))
    await expect(
      page.getByRole('article', { name: 'Your message' }).locator('.user-text'),
    ).toHaveText('Hi! Deep link number two')
  })

  test('an address of a conversation that does not exist lands on a new one', async ({ page }) => {
    await page.goto('/ui/#/chat/no-such-conversation')
    await expect(page).toHaveURL(/#\/chat\/new$/)
    await expect(page.getByRole('heading', { name: 'Ask anything' })).toBeVisible()
  })

  test('rename: the new title is kept after a reload; Esc keeps the old one', async ({ page }) => {
    await openNewChat(page)
    await sendMessage(page, 'Hi! Please rename me')
    await waitForAnswers(page, 1)
    const list = page.getByRole('navigation', { name: 'Conversations' })
    await list.getByRole('button', { name: 'Rename conversation Hi! Please rename me' }).click()
    const field = list.getByRole('textbox', { name: 'New title for Hi! Please rename me' })
    await expect(field).toBeFocused()
    await field.fill('Not this title')
    await field.press('Escape')
    await expect(list.getByRole('button', { name: /^Hi! Please rename me/ })).toBeVisible()
    // Esc in the field did not do anything else (the answer is over; nothing to stop).
    await list.getByRole('button', { name: 'Rename conversation Hi! Please rename me' }).click()
    await field.fill('Trip planning')
    await field.press('Enter')
    await expect(list.getByRole('button', { name: /^Trip planning/ })).toBeVisible()
    await expect(page.getByRole('heading', { level: 2 })).toHaveText('Trip planning')
    await page.reload()
    await expect(list.getByRole('button', { name: /^Trip planning/ })).toBeVisible()
    await expect(page.getByRole('heading', { level: 2 })).toHaveText('Trip planning')
  })

  test('search finds titles and message texts', async ({ page }) => {
    await openNewChat(page)
    await sendMessage(page, 'Hi! Where do zebracorns live?')
    await waitForAnswers(page, 1)
    const list = page.getByRole('navigation', { name: 'Conversations' })
    await list.getByRole('button', { name: /^Rename conversation Hi! Where do zebracorns/ }).click()
    await list.getByRole('textbox', { name: /^New title for/ }).fill('Animals')
    await page.keyboard.press('Enter')
    const search = list.getByRole('searchbox', { name: 'Search conversations' })
    // In a message's text only (the title no longer has it), shown with the text around it.
    await search.fill('ZEBRACORN')
    const hit = list.getByRole('button', { name: /^Animals/ })
    await expect(hit).toBeVisible()
    await expect(hit).toContainText('Where do zebracorns live?')
    await expect(list.getByRole('button')).toHaveCount(4) // New conversation + the hit's 3
    // In a title (no text to show then).
    await search.fill('animals')
    await expect(hit).toBeVisible()
    await expect(hit.locator('.snippet')).toHaveCount(0)
    await search.fill('where do zebra')
    await expect(hit).toBeVisible()
    await search.fill('nothing-matches-this')
    await expect(list.getByText('Nothing found for “nothing-matches-this”.')).toBeVisible()
    await search.fill('')
    await expect(list.getByRole('button', { name: /^Animals/ })).toBeVisible()
  })

  test('delete asks no question: it is undone with Undo, or gone after the toast', async ({
    page,
  }) => {
    page.on('dialog', (d) => {
      throw new Error(`a native dialog opened: ${d.message()}`)
    })
    await openNewChat(page)
    await sendMessage(page, 'Hi! Delete me later')
    await waitForAnswers(page, 1)
    const list = page.getByRole('navigation', { name: 'Conversations' })
    const row = list.getByRole('button', { name: /^Hi! Delete me later/ })
    const remove = list.getByRole('button', { name: 'Delete conversation Hi! Delete me later' })
    await remove.click()
    await expect(row).toHaveCount(0)
    await expect(page).toHaveURL(/#\/chat\/new$/)
    const toast = page.getByRole('status', { name: 'Notifications' })
    await expect(toast).toContainText('Deleted “Hi! Delete me later”.')
    await toast.getByRole('button', { name: 'Undo' }).click()
    await expect(row).toBeVisible()
    await expect(
      page.getByRole('article', { name: 'Your message' }).locator('.user-text'),
    ).toHaveText('Hi! Delete me later')
    // Undo opened it again, at its address.
    await expect(page).toHaveURL(/#\/chat\/[0-9a-f-]{36}$/)

    await remove.click()
    await expect(toast.getByRole('button', { name: 'Undo' })).toBeVisible()
    await expect(toast.getByRole('button', { name: 'Undo' })).toHaveCount(0, { timeout: 10_000 })
    await page.reload()
    await expect(page.getByRole('status', { name: 'Core: connected' })).toBeAttached()
    await page.waitForTimeout(1000)
    await expect(row).toHaveCount(0)
  })
})

test.describe('at 420×700', () => {
  test.use({ viewport: SIZES.popover })

  test('the drawer searches, renames and deletes with Undo too', async ({ page }) => {
    await openNewChat(page)
    await sendMessage(page, 'Hi! Holiday ideas')
    await waitForAnswers(page, 1)
    await page.getByRole('button', { name: '☰ Conversations' }).click()
    const drawer = page.getByRole('dialog', { name: 'Conversations' })
    await drawer.getByRole('searchbox', { name: 'Search conversations' }).fill('holiday')
    await expect(drawer.getByRole('button', { name: /^Hi! Holiday ideas/ })).toBeVisible()
    await drawer.getByRole('button', { name: 'Rename conversation Hi! Holiday ideas' }).click()
    const field = drawer.getByRole('textbox', { name: 'New title for Hi! Holiday ideas' })
    // Esc in the field cancels the rename and leaves the drawer open.
    await field.press('Escape')
    await expect(drawer).toBeVisible()
    await drawer.getByRole('button', { name: 'Delete conversation Hi! Holiday ideas' }).click()
    await expect(drawer.getByRole('button', { name: /^Hi! Holiday ideas/ })).toHaveCount(0)
    await page.keyboard.press('Escape')
    await expect(drawer).toHaveCount(0)
    const toast = page.getByRole('status', { name: 'Notifications' })
    await expect(toast).toBeInViewport()
    await toast.getByRole('button', { name: 'Undo' }).click()
    await page.getByRole('button', { name: '☰ Conversations' }).click()
    await expect(drawer.getByRole('button', { name: /^Hi! Holiday ideas/ })).toBeVisible()
  })
})
