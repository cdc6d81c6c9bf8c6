// Scenario 2: a new version of the app is published while a volunteer is half-way through the
// form. The app offers the update but will not apply it (which reloads the page) until the form
// is saved or cleared; the half-filled form stays as it was.
import { expect, it } from 'vitest'
import { serveApp } from './support/app'
import { phoneContext, screenshot, signIn, waitForServiceWorkerControl } from './support/browser'
import { useSuite } from './support/suite'

// The first version is the build shared by all browser tests; the new one is this file's own.
const suite = useSuite({ data: 'reads', builds: ['v2'] })

it('offers a new version without discarding a half-filled form', async () => {
  const context = await phoneContext(suite.browser)
  const page = await context.newPage()
  await signIn(page, suite.app.url, 'volunteer@demo.local')
  await waitForServiceWorkerControl(page)
  await expect(page.locator('meta[name=e2e-build]').getAttribute('content')).resolves.toBe('shared')

  await page.getByLabel('活动名称').fill('填到一半的活动')
  await page.getByLabel('服务党员群众（人次）').fill('42')

  // Publish the new version on the same origin, and let the app look for it.
  const port = suite.app.port
  await suite.app.stop()
  suite.app = await serveApp(suite.builds[0]!, port)
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration()
    await registration?.update()
  })

  const prompt = page.getByTestId('update-prompt')
  await prompt.waitFor({ timeout: 30_000 })
  await expect(prompt.getByTestId('update-blocked').isVisible()).resolves.toBe(true)
  await expect(prompt.getByRole('button', { name: '立即更新' }).isDisabled()).resolves.toBe(true)
  await page.evaluate(() => window.scrollTo(0, 0))
  await screenshot(page, 'update-offered')

  // Nothing was reloaded or lost, even across a while of waiting.
  await page.waitForTimeout(1500)
  await expect(page.getByLabel('活动名称').inputValue()).resolves.toBe('填到一半的活动')
  await expect(page.getByLabel('服务党员群众（人次）').inputValue()).resolves.toBe('42')
  await expect(page.locator('meta[name=e2e-build]').getAttribute('content')).resolves.toBe('shared')

  // Once the form is cleared, the update can be applied and the new version loads.
  await page.getByRole('button', { name: '清空表单' }).click()
  await expect(prompt.getByRole('button', { name: '立即更新' }).isEnabled()).resolves.toBe(true)
  await prompt.getByRole('button', { name: '立即更新' }).click()
  await page.waitForFunction(() => document.querySelector('meta[name=e2e-build]')?.getAttribute('content') === 'v2', null, {
    timeout: 30_000,
  })
  await context.close()
})
