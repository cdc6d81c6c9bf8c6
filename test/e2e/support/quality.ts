// Checks of the issue's quality bar that run inside a page: axe-core, touch-target sizes,
// horizontal overflow and landmarks. Each returns what it found wrong, described well enough to
// fix it (selector, size, text), so a test can report every offender at once.
import { join } from 'node:path'
import type { AxeResults } from 'axe-core'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { REPO_ROOT } from '../../../scripts/stack/stack.ts'

const AXE_PATH = join(REPO_ROOT, 'node_modules/axe-core/axe.min.js')

/** The smallest touch target the issue allows, in CSS px (WCAG 2.5.5). */
export const MIN_TARGET = 44

type AxeWindow = Window & { axe?: { run: (context?: unknown, options?: unknown) => Promise<AxeResults> } }

/** axe-core's violations of serious or critical impact, one line per rule and element. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => !!(window as AxeWindow).axe))) await page.addScriptTag({ path: AXE_PATH })
  const results = await page.evaluate(() => (window as AxeWindow).axe!.run(document, { resultTypes: ['violations'] }))
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((node) => `${v.impact} ${v.id} (${v.help}) at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
    )
}

/**
 * Visible controls smaller than 44×44 CSS px. A control counts as large enough when it is, or
 * when it sits inside a label or another control that is (a checkbox inside its row's label:
 * a tap anywhere on the label toggles it). Controls scrolled or moved off the page to the left or
 * top (the skip link until it is focused) are not on screen and are not counted.
 */
export async function smallTouchTargets(page: Page): Promise<{ checked: number; small: string[] }> {
  return page.evaluate((min) => {
    const CONTROLS = 'a[href], button, select, textarea, input:not([type=hidden]), summary, [role=button], [role=link], [tabindex]:not([tabindex="-1"])'
    const ENLARGING = 'label, a[href], button, [role=button], summary'
    const big = (el: Element) => {
      const r = el.getBoundingClientRect()
      return r.width >= min - 0.5 && r.height >= min - 0.5
    }
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && r.right + scrollX > 0 && r.bottom + scrollY > 0
    }
    const describe = (el: Element) => {
      const r = el.getBoundingClientRect()
      const id = el.id ? `#${el.id}` : ''
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
      const name = el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 30)
      return `${el.tagName.toLowerCase()}${id}${cls} "${name}" ${Math.round(r.width)}×${Math.round(r.height)}`
    }
    const problems: string[] = []
    let checked = 0
    for (const el of document.querySelectorAll(CONTROLS)) {
      if (!shown(el)) continue
      checked += 1
      if (big(el)) continue
      let enlarged = false
      for (let up = el.parentElement?.closest(ENLARGING); up; up = up.parentElement?.closest(ENLARGING)) {
        if (big(up)) {
          enlarged = true
          break
        }
      }
      if (!enlarged) problems.push(describe(el))
    }
    return { checked, small: problems }
  }, MIN_TARGET)
}

/**
 * Null when the page is no wider than the screen; else the widths and the elements sticking out.
 * The screen's width is the layout viewport's (documentElement.clientWidth): on a phone (isMobile)
 * window.innerWidth grows to the content's width when it overflows, so comparing with it would
 * never find an overflow.
 */
export async function horizontalOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const scrollWidth = document.documentElement.scrollWidth
    if (scrollWidth <= width) return null
    // The outermost elements reaching past the right edge (inside no scrolling box of their own).
    const culprits: string[] = []
    for (const el of document.body.querySelectorAll('*')) {
      if (el.getBoundingClientRect().right + scrollX <= width + 0.5) continue
      let parent = el.parentElement
      let inner = false
      for (; parent && parent !== document.body; parent = parent.parentElement) {
        const overflowX = getComputedStyle(parent).overflowX
        if (overflowX !== 'visible' || parent.getBoundingClientRect().right + scrollX > width + 0.5) {
          inner = true
          break
        }
      }
      if (!inner) {
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
        culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls} right=${Math.round(el.getBoundingClientRect().right)}`)
      }
    }
    return `scrollWidth ${scrollWidth} > viewport width ${width}: ${culprits.slice(0, 10).join(', ')}`
  })
}

/**
 * Boxes inside the page that scroll sideways (a wide table in an overflow-x: auto wrapper): the
 * page itself does not overflow, yet part of the content needs sideways scrolling to be seen.
 */
export async function sidewaysScrollers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    for (const el of document.body.querySelectorAll('*')) {
      const overflowX = getComputedStyle(el).overflowX
      if ((overflowX === 'auto' || overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
        found.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls} scrollWidth ${el.scrollWidth} > ${el.clientWidth}`)
      }
    }
    return found
  })
}

/**
 * Page links of the navigation that are not fully in sight: hidden, reaching past the screen's
 * edges, cut off by a box around them, or with their text cut short ("Reference da...").
 */
export async function navigationProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = []
    const width = document.documentElement.clientWidth
    for (const link of document.querySelectorAll<HTMLElement>('a[data-testid^="nav-"]')) {
      const name = `${link.dataset.testid} "${(link.textContent ?? '').trim()}"`
      const r = link.getBoundingClientRect()
      if (!link.checkVisibility() || r.width === 0 || r.height === 0) {
        problems.push(`${name} is not visible`)
        continue
      }
      if (r.left < -0.5 || r.right > width + 0.5) problems.push(`${name} reaches past the screen (${Math.round(r.left)}–${Math.round(r.right)} of ${width})`)
      if (link.scrollWidth > link.clientWidth + 1) problems.push(`${name} has its text cut short`)
      for (let box = link.parentElement; box && box !== document.body; box = box.parentElement) {
        if (getComputedStyle(box).overflowX === 'visible') continue
        const b = box.getBoundingClientRect()
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5) problems.push(`${name} is cut off by ${box.tagName.toLowerCase()}.${box.className}`)
      }
    }
    return problems
  })
}

/**
 * Landmarks as a screen reader sees them (Playwright's ARIA roles): exactly one main, one banner,
 * and, when the page has navigation links, one navigation landmark holding all of them. Also that
 * the document's language is the one shown, so a screen reader reads it in the right voice.
 */
export async function landmarkProblems(page: Page, lang: string, withNavigation: boolean): Promise<string[]> {
  const problems: string[] = []
  const count = async (role: 'main' | 'banner' | 'navigation') => page.getByRole(role).count()
  const mains = await count('main')
  if (mains !== 1) problems.push(`${mains} main landmarks, expected 1`)
  const banners = await count('banner')
  if (banners !== 1) problems.push(`${banners} banner landmarks, expected 1`)
  const navigations = await count('navigation')
  if (withNavigation) {
    if (navigations !== 1) problems.push(`${navigations} navigation landmarks, expected 1`)
    const links = await page.locator('a[data-testid^="nav-"]').count()
    const inNav = await page.getByRole('navigation').locator('a[data-testid^="nav-"]').count()
    if (links === 0 || inNav !== links) problems.push(`${inNav} of ${links} page links inside the navigation landmark`)
  } else if (navigations > 1) problems.push(`${navigations} navigation landmarks`)
  const docLang = await page.evaluate(() => document.documentElement.lang)
  if (docLang !== lang) problems.push(`<html lang="${docLang}">, the page is in ${lang}`)
  return problems
}

/** Width and height of a PNG, from its IHDR chunk. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

/**
 * A phone-sized profile kept on disk (in profileDir), as support/browser.ts's contexts otherwise
 * are: Chromium's installability check refuses the in-memory (incognito) profiles of newContext.
 */
export function persistentPhoneContext(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
}
