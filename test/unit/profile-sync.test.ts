// A profile edited offline: kept on the phone as the pending edit, sent by the sync engine in a
// step of its own, forgotten once the server has it (unless a newer edit was saved meanwhile), a
// refusal kept next to it and not sent again until the user saves anew, and never lost when the
// user leaves the phone.
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { emptyProfile, type PendingProfile, type PersonalProfile } from '../../src/domain/person-profile'
import { TransportError } from '../../src/sync/errors'
import { harness } from './support/engine-harness'
import { pendingRecord } from './support/fixtures'

const profile = (changes: Partial<PersonalProfile> = {}): PersonalProfile => ({
  ...emptyProfile('志愿者甲'), phone: '13812345678', id_number: '11010519491231002X', ...changes,
})
const pending = (changes: Partial<PersonalProfile> = {}, savedAt = '2023-03-06T01:00:00.000Z'): PendingProfile => ({
  profile: profile(changes), savedAt,
})

describe('a profile edited on the phone', () => {
  it('waits while offline, then is sent once and forgotten as pending', async () => {
    const { db, engine, transport, server } = await harness()
    let calls = 0
    let online = false
    transport.saveProfile = async (sent) => {
      calls += 1
      if (!online) throw new TypeError('fetch failed')
      return server.saveProfile(sent)
    }
    await db.setMeta({ pendingProfile: pending() })
    expect((await engine.syncNow()).status).toBe('retrying')
    expect(await db.getMeta('pendingProfile')).toEqual(pending())
    expect(server.profile).toBeNull()

    online = true
    expect((await engine.syncNow()).status).toBe('synced')
    expect(server.profile).toMatchObject({ display_name: '志愿者甲', phone: '13812345678' })
    expect(await db.getMeta('pendingProfile')).toBeNull()
    expect(await db.getMeta('personalProfile')).toMatchObject({ phone: '13812345678' })
    await engine.syncNow()
    expect(calls).toBe(2)
  })

  it('keeps a refusal next to the edit, sends it no more, and sends the next edit', async () => {
    const { db, engine, server } = await harness()
    await db.setMeta({ pendingProfile: pending({ phone: '12345' }) })
    expect((await engine.syncNow()).status).toBe('synced')
    expect(await db.getMeta('profileFailure')).toMatchObject({
      savedAt: '2023-03-06T01:00:00.000Z', failure: { code: '23514', rule: 'person_profiles_phone_format' },
    })
    expect(await db.getMeta('pendingProfile')).toEqual(pending({ phone: '12345' }))

    const saveProfile = server.saveProfile.bind(server)
    let calls = 0
    server.saveProfile = (sent) => {
      calls += 1
      return saveProfile(sent)
    }
    await engine.syncNow()
    expect(calls).toBe(0)

    await db.setMeta({ pendingProfile: pending({}, '2023-03-06T02:00:00.000Z'), profileFailure: null })
    await engine.syncNow()
    expect(calls).toBe(1)
    expect(server.profile?.phone).toBe('13812345678')
    expect(await db.getMeta('pendingProfile')).toBeNull()
  })

  it('keeps a newer edit saved while the older one was on its way', async () => {
    const { db, engine, transport, server } = await harness()
    await db.setMeta({ pendingProfile: pending({ residence_area: '五华区' }) })
    transport.saveProfile = async (sent) => {
      await db.setMeta({ pendingProfile: pending({ residence_area: '盘龙区' }, '2023-03-06T03:00:00.000Z') })
      return server.saveProfile(sent)
    }
    await engine.syncNow()
    expect(await db.getMeta('pendingProfile')).toEqual(pending({ residence_area: '盘龙区' }, '2023-03-06T03:00:00.000Z'))
    expect(await db.getMeta('personalProfile')).toMatchObject({ residence_area: '五华区' })
  })

  it('counts as unsynced, and stays on the phone when its user leaves it', async () => {
    const { db } = await harness()
    await db.setMeta({ pendingProfile: pending(), personalProfile: null, pullCursor: '7' })
    expect((await db.unsyncedSummary()).events).toBe(1)
    await db.saveEvent(pendingRecord('e1'), {
      change_id: 'c1', event_id: 'e1', op: 'upsert', fields: pendingRecord('e1'), queued_at: '2023-03-06T00:00:00Z', sent: false,
    })
    expect((await db.unsyncedSummary()).events).toBe(2)
    await db.keepOnlyUnsynced()
    expect(await db.getMeta('pendingProfile')).toEqual(pending())
    expect(await db.getMeta('pullCursor')).toBeNull()
  })

  it('is refused for good without a linked person, as the server says', async () => {
    const { db, engine, transport } = await harness()
    transport.saveProfile = async () => {
      throw new TransportError('this account is not linked to a volunteer', 403, '42501', 'person_profiles_own_person')
    }
    await db.setMeta({ pendingProfile: pending() })
    await engine.syncNow()
    expect((await db.getMeta('profileFailure'))?.failure.rule).toBe('person_profiles_own_person')
  })
})
