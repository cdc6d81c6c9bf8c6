/**
 * useProfileStore: the signed-in volunteer's own personal information (办法 Art. 5), edited
 * offline too: a saved edit waits on the phone (meta `pendingProfile`) and the sync engine sends
 * it with save_my_profile; a refusal waits next to it with its rule.
 * State: saved (ServerProfile as the server last answered, or null), pending (the edit not yet on
 * the server), failure (why the server refused the pending edit).
 * Getters: current (what the form shows: the pending edit, else the server's copy).
 * Actions: load() (from the phone); refresh() (from the server when online and no edit waits);
 * save(profile) (checks the rules first: throws ProfileValidationError with the issues).
 */
import { defineStore } from 'pinia'
import { computed, ref, toRaw } from 'vue'
import { fetchMyProfile } from '../api/records'
import {
  emptyProfile, profileIssues, tidyProfile, type PendingProfile, type PersonalProfile, type ProfileFailure, type ProfileIssue,
  type ServerProfile,
} from '../domain/person-profile'
import { currentAccount, getServices, requireAccount } from '../sync/runtime'
import { useReferenceStore } from './reference'
import { useSessionStore } from './session'

export class ProfileValidationError extends Error {
  constructor(readonly issues: ProfileIssue[]) {
    super(`the profile breaks ${issues.map((issue) => issue.rule).join(', ')}`)
    this.name = 'ProfileValidationError'
  }
}

/** The fields of a server copy that the volunteer edits. */
function editable(profile: ServerProfile): PersonalProfile {
  const { display_name, gender, birth_date, id_type, id_number, volunteer_number, residence_area, phone, skills, service_categories } = profile
  return { display_name, gender, birth_date, id_type, id_number, volunteer_number, residence_area, phone, skills, service_categories }
}

export const useProfileStore = defineStore('profile', () => {
  /** The profile as the server last answered it. */
  const saved = ref<ServerProfile | null>(null)
  /** The edit saved on this phone and not yet on the server. */
  const pending = ref<PendingProfile | null>(null)
  /** Why the server refused the pending edit. */
  const failure = ref<ProfileFailure | null>(null)

  /** What the form shows: the waiting edit, else the server's copy, else the name the team knows. */
  const current = computed<PersonalProfile>(() => {
    if (pending.value) return pending.value.profile
    if (saved.value) return editable(saved.value)
    const session = useSessionStore()
    const name = useReferenceStore().people.find((person) => person.id === session.personId)?.display_name ?? ''
    return emptyProfile(name)
  })

  async function load(): Promise<void> {
    const account = await currentAccount()
    const db = account?.db
    ;[saved.value, pending.value, failure.value] = db
      ? await Promise.all([db.getMeta('personalProfile'), db.getMeta('pendingProfile'), db.getMeta('profileFailure')])
      : [null, null, null]
  }

  /** Fetches the server's copy when no edit waits (an edit on its way is newer). Throws when offline. */
  async function refresh(): Promise<void> {
    const account = await requireAccount()
    const fresh = await fetchMyProfile()
    await account.db.updateMeta(['pendingProfile'], (now) => (now.pendingProfile ? {} : { personalProfile: fresh }))
    await load()
  }

  /** Saves the profile on the phone and sends it when it can. */
  async function save(profile: PersonalProfile): Promise<void> {
    const { clock } = await getServices()
    const issues = profileIssues(toRaw(profile), clock.now())
    if (issues.length > 0) throw new ProfileValidationError(issues)
    const account = await requireAccount()
    // A plain copy: the form's lists are reactive proxies.
    const copy = JSON.parse(JSON.stringify(toRaw(profile))) as PersonalProfile
    const edit: PendingProfile = { profile: tidyProfile(copy), savedAt: new Date(clock.now()).toISOString() }
    await account.db.setMeta({ pendingProfile: edit, profileFailure: null })
    await load()
    ;(await getServices()).changes.dispatchEvent(new Event('events'))
    await account.engine.syncNow()
    await load()
  }

  return { saved, pending, failure, current, load, refresh, save }
})
