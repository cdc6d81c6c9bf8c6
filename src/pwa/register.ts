// Service worker registration with update on request. A new version is only announced here;
// the app applies it when the user accepts and no form holds unsaved input (see UpdatePrompt),
// because the update reloads the page (vite-plugin-pwa #881: silent reloads lost user input).
import { readonly, ref } from 'vue'
import { registerSW } from 'virtual:pwa-register'

const HOUR = 60 * 60 * 1000

const waiting = ref(false)
let activate: ((reloadPage?: boolean) => Promise<void>) | null = null
let registration: ServiceWorkerRegistration | undefined

/** A new version is installed and waits to be applied. */
export const updateAvailable = readonly(waiting)

/** Asks the server whether a new version exists (it is announced through updateAvailable). */
export async function checkForUpdate(): Promise<void> {
  if (!registration || !navigator.onLine) return
  await registration.update()
}

/** Activates the waiting version; the page reloads once it controls the page. */
export async function applyUpdate(): Promise<void> {
  await activate?.(true)
}

export function installPwa(): void {
  if (!('serviceWorker' in navigator)) return
  activate = registerSW({
    immediate: true,
    onNeedRefresh() {
      waiting.value = true
    },
    onRegisteredSW(_url, reg) {
      registration = reg
      // Phones keep a PWA open for days: look for a new version hourly and when it comes back
      // to the foreground, not only on a fresh load.
      setInterval(() => void checkForUpdate().catch(logUpdateFailure), HOUR)
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') void checkForUpdate().catch(logUpdateFailure)
      })
    },
    onRegisterError(error: unknown) {
      console.error('service worker registration failed; the app will not work offline', error)
    },
  })
}

function logUpdateFailure(error: unknown) {
  // Offline or a flaky network: the next check will try again; nothing for the user to do.
  console.info('update check failed', error)
}
