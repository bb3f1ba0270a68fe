import { expect, test } from '@playwright/test'
import { LOCAL_URL, REMOTE_URL } from './helpers'

test.use({ colorScheme: 'dark' })

test('settings show the config file and its servers, in the dark theme', async ({ page }, info) => {
  await page.goto('/ui/#/settings')
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
  await expect(page.getByText(/config\.yaml$/)).toBeVisible()
  // The demo config lists both boxes under additional_servers: the GPU box first, PRIMARY.
  await expect(page.getByRole('textbox', { name: 'Main server URL (base_url)' })).toHaveValue('')
  await expect(page.getByRole('textbox', { name: 'URL of server 1' })).toHaveValue(REMOTE_URL)
  await expect(page.getByRole('combobox', { name: 'Priority of server 1' })).toHaveValue('PRIMARY')
  await expect(page.getByRole('textbox', { name: 'URL of server 2' })).toHaveValue(LOCAL_URL)
  await expect(page.getByRole('combobox', { name: 'Priority of server 2' })).toHaveValue(
    'SECONDARY',
  )
  // The theme follows the OS: a dark page background.
  await expect(page.locator('html')).toHaveCSS('background-color', 'rgb(21, 23, 27)')
  // Keyboard: Tab from the top reaches the skip link first.
  await page.keyboard.press('Tab')
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused()
  await page.screenshot({ path: info.outputPath('settings-dark.png'), fullPage: true })
})
