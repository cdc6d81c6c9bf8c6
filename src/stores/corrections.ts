/**
 * useCorrectionsStore: the correction requests (异议) a team leader or coordinator resolves.
 * State: open (oldest first, online only). Actions: load(); resolve(id, corrected, note): resolved
 * once the record was corrected (through the log form, synced), or declined with a reason.
 * Refusals throw the api's CallError.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { fetchOpenCorrections, resolveCorrection, type OpenCorrection } from '../api/records'
import type { Uuid } from '../domain/types'

export const useCorrectionsStore = defineStore('corrections', () => {
  /** Open requests the user may resolve. */
  const open = ref<OpenCorrection[]>([])

  async function load(): Promise<void> {
    open.value = await fetchOpenCorrections()
  }

  async function resolve(id: Uuid, corrected: boolean, note: string): Promise<void> {
    await resolveCorrection(id, corrected, note)
    await load()
  }

  return { open, load, resolve }
})
