// Events from the store as cards (names resolved, problems translated), and the actions the
// cards offer, for EventCardList.
import { computed, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { EventCardData } from '../components/event/EventCard.vue'
import { ruleMessage } from '../i18n/rules'
import { navigate } from '../navigation'
import { recordingLateness } from '../domain/timeliness'
import type { LocalEvent } from '../domain/types'
import { calendarOf } from '../domain/workdays'
import { PERIOD_CLOSED } from '../sync/ledger-plans'
import { useEventsStore } from '../stores/events'
import { RequestTextError, useRequestsStore } from '../stores/requests'
import { useReferenceStore } from '../stores/reference'
import { useSessionStore } from '../stores/session'

export function useEventCards(teamIds: Ref<readonly string[]>) {
  const { t } = useI18n()
  const events = useEventsStore()
  const reference = useReferenceStore()
  const session = useSessionStore()
  const requests = useRequestsStore()
  /** The error of the last adjustment request per event, translated. */
  const requestErrors = ref<Record<string, string>>({})

  const cards = computed<EventCardData[]>(() => {
    const stationNames = new Map(reference.stations.map((s) => [s.id, s.name]))
    const teamNames = new Map(reference.teams.map((team) => [team.id, team.name]))
    const personNames = new Map(reference.people.map((person) => [person.id, person.display_name]))
    const calendar = calendarOf(reference.workCalendar)
    return events.events
      .filter((e) => !e.deleted && teamIds.value.includes(e.team_id))
      .sort((a, b) => b.started_at.localeCompare(a.started_at))
      .map((e) => {
        let problem: string | null = null
        if (e.syncState === 'failed' && e.failure) {
          const { key, params } = ruleMessage(e.failure)
          problem = t(key, params)
        } else if (e.syncState === 'conflict') {
          problem = t(`events.conflictReason.${e.conflictReason ?? 'changed'}`)
        }
        return {
          id: e.id,
          title: e.title,
          startedAt: e.started_at,
          endedAt: e.ended_at,
          stationName: stationNames.get(e.station_id) ?? '—',
          teamName: teamNames.get(e.team_id) ?? '—',
          participantCount: e.participants.length,
          peopleServed: e.people_served,
          fundsFen: e.funds_fen,
          materialsFen: e.materials_fen,
          details:
            e.place !== undefined && e.organizing_unit !== undefined
              ? { place: e.place || '—', person: personNames.get(e.person_in_charge ?? '') ?? '—', unit: e.organizing_unit }
              : null,
          recorded: recordingLateness(e, calendar),
          historyHref: historyHref(e.id),
          syncState: e.syncState,
          problem,
          closedMonth: e.syncState === 'failed' && e.failure?.rule === PERIOD_CLOSED,
          confirmation: confirmationOf(e),
          requestError: requestErrors.value[e.id] ?? null,
          canEdit:
            !e.recordedBy ||
            e.recordedBy === session.user?.id ||
            session.ledTeamIds.includes(e.team_id) ||
            session.programRole === 'admin',
        }
      })
  })

  return {
    cards,
    edit: (id: string) => navigate('log', id),
    remove: (id: string) => events.remove(id),
    discard: (id: string) => events.discard(id),
    resolve: (id: string, choice: 'keep-mine' | 'take-server') => events.resolveConflict(id, choice),
    async requestAdjustment(id: string, reason: string) {
      try {
        await requests.requestAdjustment(id, reason)
        delete requestErrors.value[id]
      } catch (error) {
        if (!(error instanceof RequestTextError)) throw error
        requestErrors.value[id] = t(`rules.${error.rule}`)
      }
    },
  }
}

/**
 * An event's history page (#/history/<id>), built by the coordinators' pages; spelled out here
 * rather than through navigation's ViewName, which that work extends.
 */
function historyHref(id: string): string {
  return `#/history/${encodeURIComponent(id)}`
}

function confirmationOf(e: LocalEvent): EventCardData['confirmation'] {
  if (e.confirmation === 'queued') return 'queued'
  if (e.confirmation) return 'confirmed'
  return e.serverRevision === null ? null : 'unconfirmed'
}
