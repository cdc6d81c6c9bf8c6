// Events from the store as cards (names resolved, problems translated), and the actions the
// cards offer, for EventCardList.
import { computed, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { EventCardData } from '../components/event/EventCard.vue'
import { ruleMessage } from '../i18n/rules'
import { navigate } from '../navigation'
import { useEventsStore } from '../stores/events'
import { useReferenceStore } from '../stores/reference'
import { useSessionStore } from '../stores/session'

export function useEventCards(teamIds: Ref<readonly string[]>) {
  const { t } = useI18n()
  const events = useEventsStore()
  const reference = useReferenceStore()
  const session = useSessionStore()

  const cards = computed<EventCardData[]>(() => {
    const stationNames = new Map(reference.stations.map((s) => [s.id, s.name]))
    const teamNames = new Map(reference.teams.map((team) => [team.id, team.name]))
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
          syncState: e.syncState,
          problem,
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
  }
}
