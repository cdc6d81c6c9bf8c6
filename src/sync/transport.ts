// The one narrow interface through which the sync engine reaches the server, and its
// implementation with supabase-js (push and pull are the RPCs of the sync API migration;
// reference data is plain selects, filtered by row-level security; the device report is the RPC of
// the device reports migration).
import type { ApiClient } from '../api/api-client'
import type { PersonalProfile, ServerProfile } from '../domain/person-profile'
import type {
  ChangeOutcome, EventChange, Person, ProgramRole, PullPage, ReferenceData, ServerRequest, Station, Team, TeamMember, ThemeMonth, Uuid,
} from '../domain/types'
import type { DeviceReport } from '../domain/device-report'
import type { CalendarException } from '../domain/workdays'
import { TransportError } from './errors'

export interface SyncTransport {
  /** Applies a batch of changes; one outcome per change. Throws TransportError when the call failed. */
  push(changes: EventChange[]): Promise<ChangeOutcome[]>
  /** Events changed after the cursor, tombstones included, oldest first. */
  pull(after: string | null, maxRows: number): Promise<PullPage>
  /** The user's requests (adjustments, corrections) and what was decided on them. */
  myRequests(): Promise<ServerRequest[]>
  /** Everything the forms need offline, as the signed-in user may see it. */
  fetchReference(): Promise<ReferenceData>
  /** Writes the user's own profile (save_my_profile); answers it as the server holds it. */
  saveProfile(profile: PersonalProfile): Promise<ServerProfile>
  /** Records this device's report; answers the server's clock (ms since the epoch). */
  reportDevice(report: DeviceReport): Promise<{ server_time_ms: number }>
}

interface PostgrestFailure {
  message: string
  code?: string
  details?: string | null
}

const REFERENCE_PAGE_ROWS = 1000

// PostgREST answers an expired or invalid JWT with these codes (and HTTP 401).
const JWT_CODES = new Set(['PGRST301', 'PGRST302', 'PGRST303'])

/** The constraint a Postgres error message names, e.g. `violates check constraint "x"`. */
function ruleIn(message: string): string | null {
  return /constraint "([^"]+)"/.exec(message)?.[1] ?? null
}

function toTransportError(error: PostgrestFailure, status: number): TransportError {
  return new TransportError(error.message, status, error.code ?? '', ruleIn(error.message))
}

function isAuthFailure(status: number, error: PostgrestFailure): boolean {
  return status === 401 || JWT_CODES.has(error.code ?? '')
}

/**
 * The transport of one user's account. Every call first checks that the session is still that
 * user's: on a shared phone, one user's changes must never travel with another's token, and
 * another's rows must never land in this user's database.
 */
export function createSupabaseTransport(client: ApiClient, ownerId: Uuid): SyncTransport {
  async function assertOwnerSignedIn(): Promise<void> {
    const { data } = await client.auth.getSession()
    if (data.session?.user.id !== ownerId) {
      throw new TransportError('the signed-in user is not the owner of this data', 401, 'owner_not_signed_in')
    }
  }

  /** Runs a call; on an expired token refreshes the session once and tries again. */
  async function call<T>(run: () => PromiseLike<{ data: unknown; error: PostgrestFailure | null; status: number }>): Promise<T> {
    await assertOwnerSignedIn()
    let response = await run()
    if (response.error && isAuthFailure(response.status, response.error)) {
      // A failed refresh (offline) leaves the session as it is; the retry then fails as 401 again
      // and the engine retries later rather than signing anyone out. The session may have ended
      // or changed hands meanwhile: the retry goes only with the owner's token, never with none
      // (refused as 42501, which would park the changes as failed) or another user's.
      await client.auth.refreshSession()
      await assertOwnerSignedIn()
      response = await run()
    }
    if (response.error) throw toTransportError(response.error, response.status)
    return response.data as T
  }

  /**
   * All rows of a table, page by page: Supabase caps one response at 1000 rows by default. Rows
   * where a column of `unset` has a value are left out.
   */
  async function selectAll<T>(table: string, columns: string, key: readonly string[], unset: readonly string[] = []): Promise<T[]> {
    const rows: T[] = []
    for (let from = 0; ; from += REFERENCE_PAGE_ROWS) {
      const page = await call<T[]>(() => {
        // Ordered by the whole key, so that pages neither overlap nor skip rows.
        let query = client.from(table).select(columns)
        for (const column of unset) query = query.is(column, null)
        for (const column of key) query = query.order(column)
        return query.range(from, from + REFERENCE_PAGE_ROWS - 1)
      })
      rows.push(...page)
      if (page.length < REFERENCE_PAGE_ROWS) return rows
    }
  }

  return {
    push: (changes) => call<ChangeOutcome[]>(() => client.rpc('push_event_changes', { changes })),
    pull: (after, maxRows) => call<PullPage>(() => client.rpc('pull_event_changes', { after, max_rows: maxRows })),
    myRequests: () => call<ServerRequest[]>(() => client.rpc('my_requests')),
    saveProfile: (profile) => call<ServerProfile>(() => client.rpc('save_my_profile', { p_profile: profile })),
    reportDevice: (report) => call<{ server_time_ms: number }>(() => client.rpc('report_device', { report })),
    async fetchReference() {
      const [stations, teams, themeMonths, people, teamMembers, workCalendar, roles] = await Promise.all([
        selectAll<Station>('stations', 'id, name, address', ['id']),
        selectAll<Team>('teams', 'id, name, chamber, recording_unit', ['id']),
        selectAll<ThemeMonth>('theme_months', 'id, month, theme, named', ['id']),
        // People include those who have left the user's teams (their past events name them);
        // memberships are the current ones only (left_at unset): only they make a member.
        selectAll<Person>('people', 'id, display_name, user_id', ['id']),
        selectAll<TeamMember>('team_members', 'team_id, person_id, role', ['team_id', 'person_id'], ['left_at']),
        selectAll<CalendarException>('work_calendar', 'day, kind', ['day']),
        call<{ role: ProgramRole }[]>(() => client.from('program_roles').select('role').eq('user_id', ownerId)),
      ])
      return { stations, teams, themeMonths, people, teamMembers, workCalendar, programRole: roles[0]?.role ?? null }
    },
  }
}
