import { expect, test } from '@playwright/test'
import { REMOTE_NAME, REMOTE_OPTION, REMOTE_REGION } from './helpers'

test('the dashboard shows both servers and their models', async ({ page }, info) => {
  await page.goto('/ui/#/dashboard')
  await expect(page.getByRole('heading', { name: 'Servers and models' })).toBeVisible()
  const map = page.getByRole('region', { name: 'Map of this computer and its servers' })
  await expect(map.getByText('This computer')).toBeVisible()
  const remote = map.getByRole('region', { name: REMOTE_REGION })
  const local = map.getByRole('region', { name: 'Server localhost' })
  await expect(remote).toContainText('Online')
  await expect(local).toContainText('Online')
  for (const m of ['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b'])
    await expect(remote.getByText(m, { exact: true })).toBeVisible()
  for (const m of ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b'])
    await expect(local.getByText(m, { exact: true })).toBeVisible()

  const matrix = page.getByRole('table', { name: 'Models × servers' })
  await expect(matrix.getByRole('columnheader', { name: REMOTE_NAME })).toBeVisible()
  await expect(matrix.getByRole('columnheader', { name: 'localhost' })).toBeVisible()
  await expect(matrix.getByRole('rowheader', { name: 'gemma3:1b' })).toBeVisible()
  await expect(page.getByRole('combobox', { name: 'Routing mode' })).toContainText(REMOTE_OPTION)
  await page.screenshot({ path: info.outputPath('dashboard.png'), fullPage: true })
})
