// A notice that appears the first time it is due, stays until the user dismisses it (rather than
// coming and going with every change of what made it due), and once dismissed stays away on this
// device: the dismissal is kept in localStorage under the given key.
import { computed, ref, watch, type WatchSource } from 'vue'

export function useOnceNotice(storageKey: string, due: WatchSource<boolean>) {
  const dismissed = ref(globalThis.localStorage?.getItem(storageKey) === 'dismissed')
  const appeared = ref(false)
  watch(
    due,
    (now) => {
      if (now) appeared.value = true
    },
    { immediate: true },
  )

  /** The notice is on screen. */
  const shown = computed(() => appeared.value && !dismissed.value)

  function dismiss(): void {
    dismissed.value = true
    globalThis.localStorage?.setItem(storageKey, 'dismissed')
  }

  return { shown, dismiss }
}
