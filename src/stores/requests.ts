/**
 * useRequestsStore: what the user asked about events and what became of it.
 * State: requests (EventRequest: adjustment of a change refused because its month is closed, or
 * correction of one's own record; queued, pending, approved, declined, resolved or refused).
 * Actions: load(); requestAdjustment(eventId, reason); requestCorrection(eventId, note). Both go
 * through the outbox, so they work offline; both throw RequestTextError for an empty or too long
 * text (the input stays with the caller).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { requestTextRule } from '../domain/requests'
import type { EventRequest, Uuid } from '../domain/types'
import { planRequestAdjustment, planRequestCorrection } from '../sync/ledger-plans'
import { currentAccount, getServices, requireAccount } from '../sync/runtime'
import { useEventsStore } from './events'

export class RequestTextError extends Error {
  constructor(readonly rule: string) {
    super(`the request's text breaks ${rule}`)
    this.name = 'RequestTextError'
  }
}

export const useRequestsStore = defineStore('requests', () => {
  /** Every request the user made on this phone, newest first. */
  const requests = ref<EventRequest[]>([])

  async function load(): Promise<void> {
    const account = await currentAccount()
    const all = account ? await account.db.listRequests() : []
    requests.value = all.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  async function queue(
    kind: EventRequest['kind'],
    eventId: Uuid,
    text: string,
    plan: typeof planRequestAdjustment,
  ): Promise<boolean> {
    const rule = requestTextRule(kind, text)
    if (rule) throw new RequestTextError(rule)
    const account = await requireAccount()
    const services = await getServices()
    const now = new Date(services.clock.now()).toISOString()
    const changeId = services.newId()
    const queued = await account.db.mutate([eventId], (slice) => plan(slice, eventId, text.trim(), changeId, now))
    await Promise.all([load(), useEventsStore().load()])
    services.changes.dispatchEvent(new Event('events'))
    void account.engine.syncNow()
    return queued ?? false
  }

  /** Sends a change refused because its month is closed as an adjustment request; false if it was not such a refusal. */
  const requestAdjustment = (eventId: Uuid, reason: string) => queue('adjustment', eventId, reason, planRequestAdjustment)

  /** Flags an error in one of the user's records for the team's leader; false if the event is not on the server. */
  const requestCorrection = (eventId: Uuid, note: string) => queue('correction', eventId, note, planRequestCorrection)

  return { requests, load, requestAdjustment, requestCorrection }
})
