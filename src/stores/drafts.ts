// Everything typed into a form and not yet saved, kept in localStorage so that a reload, a
// crash or a dead battery loses nothing; also the one place that knows whether reloading the page
// now (to apply an app update) would throw away someone's input or interrupt a save.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

const STORAGE_KEY = 'volunteer-ledger.drafts.v1'

interface DraftEntry {
  value: unknown
  /** The user changed something since the form was opened. */
  dirty: boolean
  savedAt: number
}

function load(): Record<string, DraftEntry> {
  try {
    const parsed: unknown = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? '{}')
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, DraftEntry>) : {}
  } catch (error) {
    // A corrupt entry must not stop the app from starting; it only means no draft to restore.
    console.warn('drafts: ignoring unreadable saved drafts', error)
    return {}
  }
}

export const useDraftsStore = defineStore('drafts', () => {
  /** Drafts by form key ("event:new", "event:<id>", ...). */
  const entries = ref<Record<string, DraftEntry>>(load())
  /** Saves in progress (form submits awaiting the store). */
  const saving = ref(0)

  watch(
    entries,
    (value) => {
      globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(value))
    },
    { deep: true },
  )

  /** Whether some form holds input that is not saved yet. */
  const hasUnsavedInput = computed(() => Object.values(entries.value).some((e) => e.dirty))

  /** The draft kept for a form, if any. */
  function get<T>(key: string): { value: T; dirty: boolean } | undefined {
    const entry = entries.value[key]
    return entry ? { value: entry.value as T, dirty: entry.dirty } : undefined
  }

  /** Keeps what a form holds now; `dirty` when it differs from what the form opened with. */
  function put(key: string, value: unknown, dirty: boolean): void {
    entries.value[key] = { value: JSON.parse(JSON.stringify(value)) as unknown, dirty, savedAt: Date.now() }
  }

  /** Forgets a form's draft (saved or deliberately cleared). */
  function clear(key: string): void {
    delete entries.value[key]
  }

  /** Forgets every draft (on sign-out: the next user must not see them). */
  function clearAll(): void {
    entries.value = {}
  }

  /** Runs a save, counting it as in progress so no update reloads the page meanwhile. */
  async function track<T>(work: () => Promise<T>): Promise<T> {
    saving.value += 1
    try {
      return await work()
    } finally {
      saving.value -= 1
    }
  }

  return { entries, saving, hasUnsavedInput, get, put, clear, clearAll, track }
})
