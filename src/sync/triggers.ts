// When to sync besides the timer: coming back online, the app becoming visible again (iOS has
// no Background Sync, so returning to the app is the moment), and app start (the caller).

export interface TriggerSources {
  window: Pick<Window, 'addEventListener' | 'removeEventListener'>
  document: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>
}

/** Calls `onTrigger` on `online` and on visibility becoming 'visible'; returns the unsubscribe. */
export function watchSyncTriggers(sources: TriggerSources, onTrigger: (reason: 'online' | 'visible') => void): () => void {
  const onOnline = (): void => onTrigger('online')
  const onVisibility = (): void => {
    if (sources.document.visibilityState === 'visible') onTrigger('visible')
  }
  sources.window.addEventListener('online', onOnline)
  sources.document.addEventListener('visibilitychange', onVisibility)
  return () => {
    sources.window.removeEventListener('online', onOnline)
    sources.document.removeEventListener('visibilitychange', onVisibility)
  }
}
