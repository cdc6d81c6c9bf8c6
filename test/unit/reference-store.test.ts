import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { seesMoreThan } from '../../src/domain/profile'
import type { Profile, ReferenceData } from '../../src/domain/types'
import type { LocalDb } from '../../src/local/db'
import { useReferenceStore } from '../../src/stores/reference'
import { emptyReference, FakeServer, ServerTransport } from './support/fake-server'
import { PERSON, TEAM, USER } from './support/fixtures'
import { useTestServices } from './support/services'

const OTHER_TEAM = '00000000-0000-4000-8000-0000000000a2'

const profile = (overrides: Partial<Profile> = {}): Profile => ({
  userId: USER, email: 'volunteer@demo.local', programRole: null, personId: PERSON, myTeamIds: [TEAM], ledTeamIds: [],
  ...overrides,
})

/** Reference data in which the user's person belongs to these teams. */
function memberOf(teamIds: string[], programRole: ReferenceData['programRole'] = null): ReferenceData {
  return {
    ...emptyReference,
    programRole,
    people: [{ id: PERSON, display_name: '志愿者', user_id: USER }],
    teamMembers: teamIds.map((team_id) => ({ team_id, person_id: PERSON, role: 'member' as const })),
  }
}

describe('seesMoreThan', () => {
  it('is true for a new team or a new program role, false otherwise', () => {
    expect(seesMoreThan(profile({ myTeamIds: [TEAM, OTHER_TEAM] }), profile())).toBe(true)
    expect(seesMoreThan(profile({ programRole: 'coordinator' }), profile())).toBe(true)
    expect(seesMoreThan(profile(), profile())).toBe(false)
    expect(seesMoreThan(profile({ myTeamIds: [] }), profile())).toBe(false)
  })
})

describe('reference store refresh', () => {
  let db: LocalDb
  let transport: ServerTransport
  beforeEach(async () => {
    setActivePinia(createPinia())
    transport = new ServerTransport(new FakeServer())
    db = (await useTestServices(() => transport)).account!.db
    await db.setMeta({ profile: profile(), pullCursor: '700:42' })
  })

  it('keeps the pull cursor while the user sees the same teams', async () => {
    transport.reference = memberOf([TEAM])
    expect(await useReferenceStore().refresh()).toBe(false)
    expect(await db.getMeta('pullCursor')).toBe('700:42')
  })

  it('pulls from the start once the user joins another team, whose older events were never pulled', async () => {
    transport.reference = memberOf([TEAM, OTHER_TEAM])
    expect(await useReferenceStore().refresh()).toBe(true)
    expect(await db.getMeta('pullCursor')).toBeNull()
    expect((await db.getMeta('profile'))?.myTeamIds).toEqual([TEAM, OTHER_TEAM].sort())
  })
})
