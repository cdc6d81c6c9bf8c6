// The app's few pages, addressed by the URL hash (#/events, #/log/<id>, ...) so that reloads,
// the back button and the service worker's single navigation fallback all work without a router.
import { readonly, ref } from 'vue'

export type ViewName =
  | 'log' | 'events' | 'team' | 'dashboard' | 'followup' | 'report' | 'manage' | 'rosters' | 'join' | 'device'
  | 'closeout' | 'adjustments' | 'history' | 'record' | 'profile' | 'review' | 'certificate' | 'verify'

export interface Route {
  view: ViewName | null
  /**
   * The event being edited on the log page or whose history is shown (#/history/<id>), the invite
   * code on the join page (#/join/<code>), the certificate shown, or the rest of the path of a
   * verification page ("<number>/<hash>").
   */
  id: string | null
}

const VIEWS: readonly ViewName[] = [
  'log', 'events', 'team', 'dashboard', 'followup', 'report', 'manage', 'rosters', 'join', 'device', 'closeout', 'adjustments', 'history',
  'record', 'profile', 'review', 'certificate', 'verify',
]

/** Pages anyone may open, signed in or not. */
export const PUBLIC_VIEWS: readonly ViewName[] = ['verify']

export function parseHash(hash: string): Route {
  const [name, ...rest] = hash.replace(/^#\/?/, '').split('/')
  const view = VIEWS.find((v) => v === name) ?? null
  const id = rest.map(decodeURIComponent).join('/')
  return { view, id: view && id ? id : null }
}

export function hashOf(view: ViewName, id?: string | null): string {
  return id ? `#/${view}/${encodeURIComponent(id)}` : `#/${view}`
}

const current = ref<Route>(parseHash(globalThis.location?.hash ?? ''))

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    current.value = parseHash(window.location.hash)
  })
}

/** The page shown now; changes with the URL hash. */
export const route = readonly(current)

export function navigate(view: ViewName, id?: string | null): void {
  const hash = hashOf(view, id)
  if (window.location.hash === hash) return
  window.location.hash = hash
  current.value = parseHash(hash)
}
