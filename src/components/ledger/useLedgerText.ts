// The ledger's values in words, in the current language: a station x month's status, and one
// changed value of an event (names for ids, yuan for fen, Kunming times for instants), as the
// review and history pages show them.
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { periodState, type FieldChange, type PeriodStatus } from '../../domain/ledger'
import { useFormat } from '../../i18n/format'
import { useReferenceStore } from '../../stores/reference'

const INSTANTS = new Set(['started_at', 'ended_at', 'recorded_at', 'confirmed_at', 'deleted_at', 'decided_at'])
const MONEY = new Set(['funds_fen', 'materials_fen'])

export function useLedgerText() {
  const { t } = useI18n()
  const format = useFormat()
  const reference = useReferenceStore()

  const names = computed(() => ({
    station_id: new Map(reference.stations.map((s) => [s.id, s.name])),
    team_id: new Map(reference.teams.map((team) => [team.id, team.name])),
    person_in_charge: new Map(reference.people.map((p) => [p.id, p.display_name])),
    theme_month_id: new Map(reference.themeMonths.map((m) => [m.id, format.themeMonth(m)])),
  }))

  /** "已结账（最终）", "未结账 · 已确认 3/5", "已结账（已调整）". */
  function statusText(status: PeriodStatus): string {
    const state = periodState(status)
    if (state !== 'open') return t(`ledger.status.${state}`)
    return `${t('ledger.status.open')} · ${t('ledger.status.confirmedOf', { confirmed: status.confirmed, events: status.events })}`
  }

  function personName(id: string): string {
    return names.value.person_in_charge.get(id) ?? id.slice(0, 8)
  }

  /** One value of a field as a person reads it. */
  function valueText(field: string, value: unknown): string {
    if (field === 'participants') {
      return value === null || value === undefined ? t('ledger.history.notTaking') : t('ledger.history.hours', { n: format.hours(Number(value)) })
    }
    if (value === null || value === undefined || value === '') return '—'
    if (field in names.value) return names.value[field as keyof typeof names.value].get(String(value)) ?? String(value).slice(0, 8)
    if (MONEY.has(field)) return format.yuan(Number(value))
    if (INSTANTS.has(field) && typeof value === 'string') return format.dateTime(value)
    if (field === 'status') return t(`ledger.requestStatus.${String(value)}`)
    return String(value)
  }

  /** "服务党员群众（人次）：10 → 25", "活动名称：义诊" (set on creation), "张三（时长）：未参加 → 2 小时". */
  function changeText(change: FieldChange): string {
    const field = change.person ? t('ledger.history.participant', { name: personName(change.person) }) : t(`ledger.fields.${change.field}`)
    const to = valueText(change.field, change.to)
    if (change.from === undefined) return t('ledger.history.set', { field, to })
    return t('ledger.history.set', { field, to: `${valueText(change.field, change.from)} → ${to}` })
  }

  return { statusText, valueText, changeText }
}
