// Issue 15: Regenerate and "Regenerate with a more powerful model" add a version to the answer; a
// "‹ 2/3 ›" switcher compares them, each with its own route badge; the versions survive a reload.
import { expect, test } from '@playwright/test'
import { SIZES, openNewChat, sendMessage, waitForAnswers } from './chat-helpers'

test.use({ viewport: SIZES.popover })

test('regenerating adds versions that the switcher compares, kept after a reload', async ({
  page,
}) => {
  await openNewChat(page)
  await sendMessage(page, 'Hi! Versions please')
  await waitForAnswers(page, 1)
  const answer = page.getByRole('article', { name: 'Answer' })
  const badge = answer.locator('.route-badge')
  const fastBadge = await badge.textContent()
  const fastText = await answer.locator('.markdown').first().textContent()
  expect(fastBadge).toMatch(/^gemma3:1b @ localhost/)

  await answer.getByRole('button', { name: 'Regenerate with a more powerful model' }).click()
  await waitForAnswers(page, 1)
  await expect(answer).toHaveCount(1)
  const versions = answer.getByRole('group', { name: /^Answer versions/ })
  await expect(versions).toContainText('2/2')
  const bigBadge = await badge.textContent()
  expect(bigBadge).not.toBe(fastBadge)

  await answer.getByRole('button', { name: 'Regenerate', exact: true }).click()
  await waitForAnswers(page, 1)
  await expect(versions).toContainText('3/3')

  // Back to the first version: its own text and its own badge.
  await versions.getByRole('button', { name: 'Previous version' }).click()
  await versions.getByRole('button', { name: 'Previous version' }).click()
  await expect(versions).toContainText('1/3')
  await expect(badge).toHaveText(fastBadge ?? '')
  await expect(answer.locator('.markdown').first()).toHaveText(fastText ?? '')
  await expect(versions.getByRole('button', { name: 'Previous version' })).toBeDisabled()

  await page.reload()
  await expect(page.getByRole('status', { name: 'Core: connected' })).toBeAttached()
  await expect(answer.getByRole('group', { name: /^Answer versions/ })).toContainText('3/3')
  await versions.getByRole('button', { name: 'Previous version' }).click()
  await expect(versions).toContainText('2/3')
  await expect(badge).toHaveText(bigBadge ?? '')
})
